import ParasolClient
import ParasolWire

/// Push and pull of batches of embedding rows drawn at random from a large sparse table.
struct SparseBench {
    let settings: BenchSettings

    func run(client: ParasolClient, replication: Int, report: BenchReport) async throws {
        let name = "bench.sparse"
        let dimension = settings.sparseDimension
        try await client.createTensor(
            CreateTensor(
                name: name, kind: .sparse, shape: [UInt64(settings.sparseTableRows), UInt64(dimension)],
                initializer: .uniform(low: -0.01, high: 0.01, seed: 7), optimizer: .sgd(learningRate: 0.01), ifNotExists: true))
        var generator = SystemRandomNumberGenerator()
        let batches: [[UInt64]] = (0..<64).map { _ in
            (0..<settings.sparseBatchRows).map { _ in UInt64.random(in: 0..<UInt64(settings.sparseTableRows), using: &generator) }
        }
        let gradients = [Float](repeating: 0.001, count: settings.sparseBatchRows * dimension)
        try await client.pushSparse(name, rowIDs: batches[0], gradients: gradients)
        _ = try await client.pullSparse(name, rowIDs: batches[0])
        let rowBytes = settings.sparseBatchRows * dimension * 4
        for inFlight in settings.inFlights {
            let push = await LoadDriver.run(inFlight: inFlight, operationsMax: settings.caseOpsMax, seconds: settings.caseSeconds) { index in
                try await client.pushSparse(name, rowIDs: batches[index % batches.count], gradients: gradients)
            }
            record(push, op: "push", inFlight: inFlight, replication: replication, batchBytes: rowBytes, report: report)
            let pull = await LoadDriver.run(inFlight: inFlight, operationsMax: settings.caseOpsMax, seconds: settings.caseSeconds) { index in
                _ = try await client.pullSparse(name, rowIDs: batches[index % batches.count])
            }
            record(pull, op: "pull", inFlight: inFlight, replication: replication, batchBytes: rowBytes, report: report)
        }
    }

    private func record(_ result: LoadDriver.Result, op: String, inFlight: Int, replication: Int, batchBytes: Int, report: BenchReport) {
        let rowsPerSecond = result.operationsPerSecond * Double(settings.sparseBatchRows)
        let megabytesPerSecond = result.operationsPerSecond * Double(batchBytes) / 1e6
        var fields: [String: Any] = [
            "op": op, "batchRows": settings.sparseBatchRows, "dimension": settings.sparseDimension, "tableRows": settings.sparseTableRows,
            "inFlight": inFlight, "replication": replication, "operations": result.operations, "failures": result.failures,
            "seconds": result.seconds, "opsPerSecond": result.operationsPerSecond, "rowsPerSecond": rowsPerSecond, "MBps": megabytesPerSecond,
        ]
        fields.merge(result.latency.summary.json) { $1 }
        report.add(
            section: .sparse, name: "\(op) \(settings.sparseBatchRows)x\(settings.sparseDimension) rf\(replication) x\(inFlight)", fields: fields,
            line: "\(BenchFormat.number(rowsPerSecond / 1e6, 2))M rows/s \(BenchFormat.number(megabytesPerSecond)) MB/s  \(BenchFormat.latency(result.latency.summary))"
                + (result.failures > 0 ? "  FAILURES \(result.failures): \(result.firstFailure ?? "")" : ""))
    }
}
