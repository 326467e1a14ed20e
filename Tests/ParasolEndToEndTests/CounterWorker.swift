import Foundation
import ParasolClient

/// `parasol worker --job counter --json` running in the background.
struct CounterWorker {
    struct Report: CustomStringConvertible {
        let requested: Int
        let acknowledged: Int
        let failed: Int
        let value: Double
        var description: String { "requested \(requested), acknowledged \(acknowledged), failed \(failed), value \(value)" }
    }

    private let process: Process
    private let output: Pipe

    init(cluster: LocalCluster, count: Int, inFlight: Int) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: LocalCluster.binary)
        process.arguments = [
            "worker", "--cluster", cluster.clusterFile, "--job", "counter", "--count", "\(count)", "--in-flight", "\(inFlight)", "--json",
        ]
        output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
    }

    func finish() async throws -> Report {
        let process = self.process
        let output = self.output
        let (status, text) = await onOwnThread {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        guard status == 0, let line = text.split(separator: "\n").last,
              let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let requested = json["requested"] as? Int, let acknowledged = json["acknowledged"] as? Int,
              let failed = json["failed"] as? Int, let value = json["value"] as? Double
        else { throw ClusterTestError("worker exited with \(status): \(text)") }
        return Report(requested: requested, acknowledged: acknowledged, failed: failed, value: value)
    }
}

/// Polls the counter until it reaches `threshold` (60 s at most) and returns the value seen.
@discardableResult
func waitForCounter(atLeast threshold: Float, client: ParasolClient) async throws -> Float {
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
        if let value = try? await client.pullDense("counter").first, value >= threshold { return value }
        try await Task.sleep(nanoseconds: 20_000_000)
    }
    throw ClusterTestError("the counter never reached \(threshold)")
}

/// Prints where a kill meant to land while the worker pushes did land. Not an expectation:
/// on a loaded machine the observer's reads lag by seconds, so the counter it saw says little.
func noteKill(counterAtKill: Float, count: Int, node: String) {
    print("killing \(node) at counter \(Int(counterAtKill)) of \(count)")
}
