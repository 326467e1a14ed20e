import ParasolClient
import ParasolWire

/// Dense push and pull throughput and latency for each tensor size and in-flight count.
struct DenseBench {
    let settings: BenchSettings

    func run(client: ParasolClient, replication: Int, report: BenchReport, elections: ElectionWatch) async throws {
        for size in settings.denseSizesBytes {
            do {
                try await run(size: size, client: client, replication: replication, report: report, elections: elections)
            } catch {
                // One size failing (e.g. a push beyond the client's deadline) must not hide the others.
                report.note("dense \(BenchFormat.bytes(size)) rf\(replication) stopped: \(error)")
            }
        }
    }

    private func run(size: Int, client: ParasolClient, replication: Int, report: BenchReport, elections: ElectionWatch) async throws {
        let elements = max(1, size / 4)
        let name = "bench.dense.\(size)"
        try await client.createTensor(
            CreateTensor(name: name, kind: .dense, shape: [UInt64(elements)], initializer: .zeros, optimizer: .sgd(learningRate: 1e-6), ifNotExists: true))
        let gradient = [Float](repeating: 0.001, count: elements)
        // Warm-up: connections, first touch of buffers on both sides (once for big tensors).
        for _ in 0..<(size >= 1 << 20 ? 1 : 2) {
            try await client.pushDense(name, gradient: gradient)
            _ = try await client.pullDense(name)
        }
        for requested in settings.inFlights {
            let inFlight = max(1, min(requested, settings.inFlightBytesMax / size))
            if inFlight < requested {
                report.note("dense \(BenchFormat.bytes(size)): \(inFlight) in flight instead of \(requested) (at most \(BenchFormat.bytes(settings.inFlightBytesMax)) in flight)")
            }
            let operationsMax = boundedOperations(size: size, inFlight: inFlight)
            let onClientLoop: @Sendable (Int) -> (any TaskExecutor)? = { _ in client.taskExecutor }
            let push = await LoadDriver.run(
                inFlight: inFlight, operationsMax: operationsMax, seconds: settings.caseSeconds, executor: onClientLoop
            ) { _ in
                try await client.pushDense(name, gradient: gradient)
            }
            record(push, op: "push", size: size, inFlight: inFlight, requested: requested, replication: replication, report: report)
            await elections.check(after: "push \(BenchFormat.bytes(size)) x\(inFlight)")
            let pull = await LoadDriver.run(
                inFlight: inFlight, operationsMax: operationsMax, seconds: settings.caseSeconds, executor: onClientLoop
            ) { _ in
                let values = try await client.pullDense(name)
                guard values.count == elements else { throw ValidationErrorMessage("pull returned \(values.count) of \(elements) values") }
            }
            record(pull, op: "pull", size: size, inFlight: inFlight, requested: requested, replication: replication, report: report)
            await elections.check(after: "pull \(BenchFormat.bytes(size)) x\(inFlight)")
        }
    }

    /// Big tensors get fewer operations so that one case cannot hold gigabytes for long.
    private func boundedOperations(size: Int, inFlight: Int) -> Int {
        let bytesBudget = settings.quick ? 512 << 20 : 4 << 30
        return max(inFlight * 2, min(settings.caseOpsMax, bytesBudget / max(size, 1)))
    }

    private func record(_ result: LoadDriver.Result, op: String, size: Int, inFlight: Int, requested: Int, replication: Int, report: BenchReport) {
        let megabytesPerSecond = result.operationsPerSecond * Double(size) / 1e6
        var fields: [String: Any] = [
            "op": op, "sizeBytes": size, "inFlight": inFlight, "inFlightRequested": requested, "replication": replication, "operations": result.operations,
            "failures": result.failures, "seconds": result.seconds, "opsPerSecond": result.operationsPerSecond, "MBps": megabytesPerSecond,
        ]
        fields.merge(result.latency.summary.json) { $1 }
        if let failure = result.firstFailure { fields["firstFailure"] = failure }
        report.add(
            section: .dense, name: "\(op) \(BenchFormat.bytes(size)) rf\(replication) x\(inFlight)", fields: fields,
            line: "\(BenchFormat.number(megabytesPerSecond)) MB/s \(BenchFormat.number(result.operationsPerSecond, 0)) ops/s  \(BenchFormat.latency(result.latency.summary))"
                + (result.failures > 0 ? "  FAILURES \(result.failures): \(result.firstFailure ?? "")" : ""))
    }
}
