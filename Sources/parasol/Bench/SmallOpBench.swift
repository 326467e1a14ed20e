import ParasolClient
import ParasolConfig
import ParasolWire

/// The rate of 64-byte pushes with many in flight from several client connections, spread over
/// one small tensor per shard (each client its own session, as separate workers would be).
struct SmallOpBench {
    let settings: BenchSettings

    func run(config: ClusterConfig, replication: Int, report: BenchReport) async throws {
        let clients = (0..<settings.smallOpClients).map { _ in ParasolClient(config: config) }
        defer { for client in clients { Task { await client.close() } } }
        let names = tensorNamesCoveringShards(client: clients[0])
        for name in names {
            try await clients[0].createTensor(
                CreateTensor(name: name, kind: .dense, shape: [16], initializer: .zeros, optimizer: .sgd(learningRate: 1e-6), ifNotExists: true))
        }
        let gradient = [Float](repeating: 0.001, count: 16)
        for client in clients {
            for name in names { try await client.pushDense(name, gradient: gradient) }
        }
        let clientCount = clients.count
        let result = await LoadDriver.run(
            inFlight: settings.smallOpClients * settings.smallOpInFlight, operationsMax: Int.max, seconds: settings.smallOpSeconds,
            executor: { clients[$0 % clientCount].taskExecutor }
        ) { index in
            try await clients[index % clientCount].pushDense(names[(index / clientCount) % names.count], gradient: gradient)
        }
        var fields: [String: Any] = [
            "op": "push", "sizeBytes": 64, "clients": settings.smallOpClients, "inFlightPerClient": settings.smallOpInFlight,
            "replication": replication, "operations": result.operations, "failures": result.failures, "seconds": result.seconds,
            "opsPerSecond": result.operationsPerSecond, "tensors": names.count,
        ]
        fields.merge(result.latency.summary.json) { $1 }
        report.add(
            section: .smallops, name: "push 64 B rf\(replication) \(settings.smallOpClients)x\(settings.smallOpInFlight)", fields: fields,
            line: "\(BenchFormat.number(result.operationsPerSecond, 0)) ops/s  \(BenchFormat.latency(result.latency.summary))"
                + (result.failures > 0 ? "  FAILURES \(result.failures): \(result.firstFailure ?? "")" : ""))
    }

    /// One tensor name per shard, so the load reaches every shard's pipeline.
    private func tensorNamesCoveringShards(client: ParasolClient) -> [String] {
        var byShard: [UInt32: String] = [:]
        var index = 0
        while byShard.count < settings.shardCount, index < 10_000 {
            let name = "bench.small.\(index)"
            if byShard[client.shardID(of: name)] == nil { byShard[client.shardID(of: name)] = name }
            index += 1
        }
        return byShard.keys.sorted().compactMap { byShard[$0] }
    }
}
