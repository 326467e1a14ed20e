import Foundation
import ParasolClient
import ParasolConfig
import ParasolWire
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct SnapshotAndChunkingTests {
    /// A corrupt newest snapshot is reported by name at restart and the previous one is used,
    /// with the log replayed from there: nothing acknowledged is lost.
    @Test func corruptNewestSnapshotFallsBackToThePreviousOne() async throws {
        let cluster = try LocalCluster(nodes: 1, shards: 1, snapshotEveryUpdates: 400)
        try await cluster.startAll()
        let result = try LocalCluster.run(["worker", "--cluster", cluster.clusterFile, "--job", "counter", "--count", "2000", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try result.json()["acknowledged"] as? Int == 2000)
        cluster.kill9("n1")

        let snapshots = cluster.config.nodes[0].dataDirectory + "/shard-0/snapshots"
        // Committed snapshots: those whose manifest exists. Two are kept, but a kill -9 can land
        // between committing a third and pruning the oldest.
        let names = try FileManager.default.contentsOfDirectory(atPath: snapshots)
        let files = names.filter { $0.hasSuffix(".lz4") && names.contains($0.replacingOccurrences(of: ".lz4", with: ".json")) }.sorted()
        #expect((2...3).contains(files.count), "expected two kept snapshots (three if killed before pruning), found \(names.sorted())")
        let newest = snapshots + "/" + (try #require(files.last))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: newest))
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: newest))

        try cluster.start("n1")
        try await cluster.waitUntilServing("n1")
        let client = ParasolClient(config: cluster.config)
        #expect(try await client.pullDense("counter") == [2000])
        await client.close()
        let log = cluster.log(of: "n1")
        #expect(log.contains("skipping snapshot"), "\(log)")
        #expect(log.contains(files.last!.replacingOccurrences(of: ".lz4", with: "")) || log.contains(newest), "the rejected file should be named:\n\(log)")
    }

    /// A damaged record in the middle of the log (valid records after it) may have been
    /// acknowledged: the node refuses to start and names the file and byte offset.
    @Test func corruptLogRecordInTheMiddleStopsTheNodeWithFileAndOffset() async throws {
        let cluster = try LocalCluster(nodes: 1, shards: 1)
        try await cluster.startAll()
        let result = try LocalCluster.run(["worker", "--cluster", cluster.clusterFile, "--job", "counter", "--count", "300", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        cluster.kill9("n1")

        let wal = cluster.config.nodes[0].dataDirectory + "/shard-0/wal"
        let segment = wal + "/" + (try #require(try FileManager.default.contentsOfDirectory(atPath: wal).filter { $0.hasSuffix(".log") }.sorted().first))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        bytes[bytes.count / 3] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: segment))

        try cluster.start("n1")
        let status = try await cluster.waitUntilExited("n1")
        #expect(status != 0)
        let log = cluster.log(of: "n1")
        #expect(log.contains("is corrupt at byte offset"), "\(log)")
        #expect(log.contains(segment) || log.contains((segment as NSString).lastPathComponent), "the segment should be named:\n\(log)")
    }

    /// Tensors bigger than a frame travel in chunks both ways and come back bit for bit.
    @Test func tensorsLargerThanAFrameAreChunked() async throws {
        let cluster = try LocalCluster(nodes: 2, shards: 2, frameBytesMax: 64 * 1024)
        try await cluster.startAll()
        let client = ParasolClient(config: cluster.config)
        let count = 100_003
        try await client.createTensor(CreateTensor(
            name: "big", kind: .dense, shape: [UInt64(count)], initializer: .zeros, optimizer: .sgd(learningRate: -1), ifNotExists: false))
        let gradient = (0..<count).map { Float($0 % 1000) * 0.5 }
        try await client.pushDense("big", gradient: gradient)
        #expect(try await client.pullDense("big") == gradient)
        let rows: [UInt64] = Array(0..<5000)
        try await client.createTensor(CreateTensor(
            name: "emb", kind: .sparse, shape: [1 << 20, 8], initializer: .zeros, optimizer: .sgd(learningRate: -1), ifNotExists: false))
        let rowGradients = (0..<(rows.count * 8)).map { Float($0) }
        try await client.pushSparse("emb", rowIDs: rows, gradients: rowGradients)
        #expect(try await client.pullSparse("emb", rowIDs: rows) == rowGradients)
        await client.close()
    }

    /// `cluster init` writes a file `cluster up` runs; `snapshot` reaches every shard; SIGTERM
    /// to `cluster up` stops every node it started.
    @Test func clusterInitUpSnapshotAndStop() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parasol-up-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("c.yaml").path
        let base = try FreePorts.takeConsecutive(4)
        let initResult = try LocalCluster.run(["cluster", "init", "--nodes", "2", "--shards", "3", "--port", "\(base)", "--dir", "data", "-o", file])
        #expect(initResult.status == 0, "\(initResult.stderr)")

        let up = Process()
        up.executableURL = URL(fileURLWithPath: LocalCluster.binary)
        up.arguments = ["cluster", "up", "--cluster", file]
        let output = Pipe()
        up.standardOutput = output
        up.standardError = output
        try up.run()
        defer { if up.isRunning { kill(up.processIdentifier, SIGKILL) } }
        let collected = OutputCollector(output.fileHandleForReading)
        try await collected.waitFor("is up", timeoutSeconds: 60)

        let counter = try LocalCluster.run(["worker", "--cluster", file, "--job", "counter", "--count", "50", "--json"])
        #expect(counter.status == 0, "\(counter.stderr)")
        let snapshot = try LocalCluster.run(["snapshot", "--cluster", file, "--json"])
        #expect(snapshot.status == 0, "\(snapshot.stdout)\(snapshot.stderr)")
        #expect(snapshot.stdout.contains("\"shard\":2"))

        let pids = try ["n1", "n2"].map { node in
            Int32(try String(contentsOfFile: folder.appendingPathComponent("data/\(node)/server.pid").path, encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines))!
        }
        // A node that dies is started again by `cluster up`, and serves what it acknowledged.
        kill(pids[0], SIGKILL)
        try await collected.waitFor("node n1 was killed by signal 9; restarting", timeoutSeconds: 30)
        let reread = try LocalCluster.run(["worker", "--cluster", file, "--job", "counter", "--count", "0", "--json", "--deadline", "30"])
        #expect(try reread.json()["value"] as? Double == 50, "\(reread.stdout)\(reread.stderr)")
        let pidFile = folder.appendingPathComponent("data/n1/server.pid").path
        var restartedPid = pids[0]
        let deadline = Date().addingTimeInterval(30)
        while restartedPid == pids[0], Date() < deadline {
            restartedPid = Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? pids[0]
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect(restartedPid != pids[0], "cluster up did not start n1 again")

        up.terminate()
        up.waitUntilExit()
        #expect(up.terminationStatus == 0, "\(collected.text)")
        for pid in [restartedPid, pids[1]] {
            #expect(kill(pid, 0) != 0, "node process \(pid) still runs after cluster up stopped")
        }
        // Output is collected on another thread: the last lines may arrive after the exit.
        try await collected.waitFor("stopped", timeoutSeconds: 10)
    }
}

/// Reads a child's output in the background so a test can wait for a line.
final class OutputCollector: @unchecked Sendable {
    // @unchecked: `buffer` is only touched under `lock`.
    private let lock = NSLock()
    private var buffer = ""

    init(_ handle: FileHandle) {
        handle.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.buffer += String(decoding: data, as: UTF8.self) }
        }
    }

    var text: String { lock.withLock { buffer } }

    func waitFor(_ needle: String, timeoutSeconds: Double) async throws {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while !text.contains(needle) {
            guard Date() < deadline else { throw ClusterTestError("never saw '\(needle)' in:\n\(text)") }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
    }
}
