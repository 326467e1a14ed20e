import Foundation
import ParasolClient
import ParasolConfig
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Real `parasol server` processes on free 127.0.0.1 ports in a temporary folder, for tests
/// that kill and restart nodes. Everything it starts is killed when the test ends.
final class LocalCluster: @unchecked Sendable {
    // @unchecked: used from one test task at a time; `processes` is only touched by its methods.
    let folder: URL
    let clusterFile: String
    let config: ClusterConfig
    private var processes: [String: Process] = [:]

    /// The `parasol` binary under test: `PARASOL_BIN` (set by `make test`) or the release build.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["PARASOL_BIN"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/release/parasol").path
    }

    init(
        nodes: Int, shards: Int, replication: Int = 1, token: String = "", snapshotEveryUpdates: Int = 20_000,
        durability: Durability = .fsync,
        frameBytesMax: Int = ClusterConfig.defaultFrameBytesMax, idleTimeoutSeconds: Int = ClusterConfig.defaultIdleTimeoutSeconds
    ) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("parasol-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let ports = try FreePorts.take(2 * nodes)
        var config = ClusterConfig(
            name: "e2e", shardCount: shards, replicationFactor: replication, token: token, durability: durability,
            frameBytesMax: frameBytesMax, idleTimeoutSeconds: idleTimeoutSeconds,
            snapshot: SnapshotPolicy(everyUpdates: snapshotEveryUpdates, everySeconds: 0, keep: 2),
            nodes: (0..<nodes).map { index in
                NodeConfig(
                    id: "n\(index + 1)",
                    dataAddress: HostPort(host: "127.0.0.1", port: ports[2 * index]),
                    adminAddress: HostPort(host: "127.0.0.1", port: ports[2 * index + 1]),
                    dataDirectory: "data/n\(index + 1)")
            })
        clusterFile = folder.appendingPathComponent("cluster.yaml").path
        try ClusterFile.render(config).write(toFile: clusterFile, atomically: true, encoding: .utf8)
        config = try ClusterFile.load(path: clusterFile, environment: [:])
        self.config = config
        print("cluster in \(folder.path)")
    }

    deinit {
        for process in processes.values where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if ProcessInfo.processInfo.environment["PARASOL_KEEP_TEST_DATA"] == nil {
            try? FileManager.default.removeItem(at: folder)
        }
    }

    func logPath(_ nodeID: String) -> String { folder.appendingPathComponent("\(nodeID).log").path }

    /// Starts every node and waits until each answers a hello and every shard has elected a
    /// primary that serves.
    func startAll() async throws {
        for node in config.nodes { try start(node.id) }
        for node in config.nodes { try await waitUntilServing(node.id) }
        try await waitForPrimaries()
    }

    /// Waits until every shard has a primary serving reads, and (for up to 5 s) until it is the
    /// placement's preferred one, which a freshly started group hands over to by itself: tests
    /// then start from the same primaries every run.
    func waitForPrimaries(timeoutSeconds: Double = 30) async throws {
        let placement = ShardPlacement(config)
        let settleBy = Date().addingTimeInterval(5)
        for shard in 0..<config.shardCount {
            var primary = try await primary(ofShard: shard, timeoutSeconds: timeoutSeconds)
            while primary != placement.replicas(of: shard)[0] && Date() < settleBy {
                try await Task.sleep(nanoseconds: 20_000_000)
                primary = try await self.primary(ofShard: shard, timeoutSeconds: timeoutSeconds)
            }
        }
    }

    func start(_ nodeID: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["server", "--cluster", clusterFile, "--node", nodeID]
        FileManager.default.createFile(atPath: logPath(nodeID), contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath(nodeID)))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        processes[nodeID] = process
    }

    func waitUntilServing(_ nodeID: String, timeoutSeconds: Double = 60) async throws {
        let client = ParasolClient(config: config, options: ClientOptions(connectTimeoutSeconds: 1))
        defer { Task { await client.close() } }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while true {
            do {
                try await client.probe(nodeID, timeoutSeconds: 1)
                return
            } catch {
                if let process = processes[nodeID], !process.isRunning {
                    throw ClusterTestError("node \(nodeID) exited with \(process.terminationStatus):\n\(log(of: nodeID))")
                }
                guard Date() < deadline else { throw ClusterTestError("node \(nodeID) did not serve: \(error)\n\(log(of: nodeID))") }
                try await Task.sleep(nanoseconds: 50_000_000)
            }
        }
    }

    /// kill -9: no drain, no flush beyond what was already written.
    func kill9(_ nodeID: String) {
        guard let process = processes[nodeID] else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM and wait; returns the exit status.
    func terminate(_ nodeID: String) -> Int32 {
        guard let process = processes[nodeID] else { return -1 }
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func log(of nodeID: String) -> String {
        (try? String(contentsOfFile: logPath(nodeID), encoding: .utf8)) ?? "(no log)"
    }

    /// The node holding the shard of tensor `name` (replication factor 1).
    func owner(ofTensor name: String) -> String {
        let shard = ShardPlacement.shard(ofTensor: name, shardCount: config.shardCount)
        return ShardPlacement(config).replicas(of: shard)[0]
    }

    /// The node serving `shard` as its primary right now (asked over the data plane: the node
    /// that answers a read, which only a primary holding its lease does).
    func primary(ofShard shard: Int, timeoutSeconds: Double = 30) async throws -> String {
        let client = ParasolClient(config: config, options: ClientOptions(callDeadlineSeconds: timeoutSeconds, connectTimeoutSeconds: 1))
        defer { Task { await client.close() } }
        return try await client.servingPrimary(shard: shard)
    }

    /// Waits until node `nodeID`'s process exits on its own and returns its exit status.
    func waitUntilExited(_ nodeID: String, timeoutSeconds: Double = 60) async throws -> Int32 {
        guard let process = processes[nodeID] else { throw ClusterTestError("node \(nodeID) was never started") }
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while process.isRunning {
            guard Date() < deadline else { throw ClusterTestError("node \(nodeID) is still running:\n\(log(of: nodeID))") }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        return process.terminationStatus
    }

    /// Runs `parasol ARGS` to completion and returns its exit status, stdout and stderr.
    static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> CommandResult {
        try runTool(binary, arguments, environment: environment)
    }

    /// Runs any program (curl, h2load, promtool, …) to completion; `standardInput` is a file
    /// whose contents are fed to it.
    static func runTool(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, standardInput: String? = nil
    ) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let standardInput {
            guard let input = FileHandle(forReadingAtPath: standardInput) else {
                throw ClusterTestError("cannot read \(standardInput)")
            }
            process.standardInput = input
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes while it runs, so a chatty child never blocks on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var stdout = Data()
        nonisolated(unsafe) var stderr = Data()
        DispatchQueue.global().async(group: group) { stdout = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { stderr = err.fileHandleForReading.readDataToEndOfFile() }
        process.waitUntilExit()
        group.wait()
        return CommandResult(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String

    /// The last line of stdout parsed as a JSON object (commands run with `--json`).
    func json() throws -> [String: Any] {
        guard let line = stdout.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw ClusterTestError("no JSON object on stdout:\n\(stdout)\nstderr:\n\(stderr)") }
        return object
    }
}

struct ClusterTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Ports for test clusters, taken below Linux's ephemeral range (32768–60999) so that no
/// outgoing connection of any test can be holding one when a node binds it. A process-wide
/// counter from a random start keeps parallel tests in this process apart; each port is checked
/// bindable (nothing else on the machine listens there) before it is handed out.
enum FreePorts {
    private static let range = 20_000..<32_000
    private static let next = Mutex(Int.random(in: 20_000..<32_000))

    static func take(_ count: Int) throws -> [Int] {
        var ports: [Int] = []
        var attempts = 0
        while ports.count < count {
            attempts += 1
            guard attempts < 10_000 else { throw ClusterTestError("no free ports in \(range)") }
            let port = next.withLock { value in
                defer { value = value + 1 < range.upperBound ? value + 1 : range.lowerBound }
                return value
            }
            if isBindable(port) { ports.append(port) }
        }
        return ports
    }

    /// The first of `count` consecutive free ports (for `parasol cluster init --port BASE`).
    static func takeConsecutive(_ count: Int) throws -> Int {
        for _ in 0..<1_000 {
            let base = next.withLock { value in
                if value + count >= range.upperBound { value = range.lowerBound }
                defer { value += count }
                return value
            }
            if (base..<(base + count)).allSatisfy(isBindable) { return base }
        }
        throw ClusterTestError("no \(count) consecutive free ports in \(range)")
    }

    private static func isBindable(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = LoopbackAddress(port: port)
        return address.withSockaddr { bind(fd, $0, $1) } == 0
    }
}
