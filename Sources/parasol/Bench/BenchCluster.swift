import Foundation
import ParasolClient
import ParasolConfig

#if canImport(Glibc)
import Glibc
#endif

/// A cluster the benchmark runs against: either nodes it started itself as child processes of
/// this binary (in a temporary folder, on free ports; they can be killed and restarted), or an
/// existing cluster it attached to with `--cluster` (then it cannot kill nodes or read their RSS).
final class BenchCluster {
    let config: ClusterConfig
    let clusterFile: String
    /// True when this process started the nodes.
    let owned: Bool
    private let executable: String
    private var pids: [String: pid_t] = [:]
    private let directory: String?

    /// Attaches to the cluster described by `clusterFile`.
    init(attachingTo clusterFile: String) throws {
        self.config = try ClusterFile.load(path: clusterFile)
        self.clusterFile = clusterFile
        self.owned = false
        self.executable = ""
        self.directory = nil
    }

    /// Starts `nodes` server processes with the given replication, each on two free ports.
    init(
        name: String, nodes: Int, replication: Int, shards: Int, durability: Durability, snapshot: SnapshotPolicy = SnapshotPolicy()
    ) throws {
        let folder = FileManager.default.temporaryDirectory.path + "/parasol-bench-\(getpid())-\(name)"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let ports = try FreePorts.take(2 * nodes)
        let nodeConfigs = (0..<nodes).map { index in
            NodeConfig(
                id: "n\(index + 1)", dataAddress: HostPort(host: "127.0.0.1", port: ports[2 * index]),
                adminAddress: HostPort(host: "127.0.0.1", port: ports[2 * index + 1]), dataDirectory: folder + "/n\(index + 1)")
        }
        self.config = ClusterConfig(
            name: name, shardCount: shards, replicationFactor: replication, durability: durability, snapshot: snapshot, nodes: nodeConfigs)
        self.clusterFile = folder + "/cluster.yaml"
        try ClusterFile.render(config).write(toFile: clusterFile, atomically: true, encoding: .utf8)
        self.owned = true
        self.directory = folder
        self.executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        for node in config.nodes { try start(node.id) }
    }

    func pid(of nodeID: String) -> pid_t? { pids[nodeID] }

    func dataDirectory(of nodeID: String) -> String? { config.nodes.first { $0.id == nodeID }?.dataDirectory }

    /// Starts (or restarts) one node; its output goes to `server.log` in its data directory.
    func start(_ nodeID: String) throws {
        precondition(owned, "only a cluster the benchmark started can start nodes")
        let node = try config.node(nodeID)
        try FileManager.default.createDirectory(atPath: node.dataDirectory, withIntermediateDirectories: true)
        pids[nodeID] = try ChildProcess.spawn(
            executable: executable, arguments: ["server", "--cluster", clusterFile, "--node", nodeID, "--parent", "\(getpid())"],
            outputPath: node.dataDirectory + "/server.log")
    }

    /// SIGKILL, and waits until the process is gone.
    func kill9(_ nodeID: String) {
        guard let pid = pids.removeValue(forKey: nodeID) else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    /// Waits until every node answers a hello (each shard then elects within an election timeout).
    func waitUntilServing(timeoutSeconds: Double = 60, nodes: [String]? = nil) async throws {
        let client = ParasolClient(config: config, options: ClientOptions(connectTimeoutSeconds: 1))
        defer { Task { await client.close() } }
        let readyBy = Date().addingTimeInterval(timeoutSeconds)
        for node in nodes ?? config.nodes.map(\.id) {
            while true {
                do {
                    try await client.probe(node, timeoutSeconds: 1)
                    break
                } catch {
                    if let pid = pids[node], waitpid(pid, nil, WNOHANG) == pid {
                        pids[node] = nil
                        throw ValidationErrorMessage("node \(node) exited before serving; see \(dataDirectory(of: node) ?? "?")/server.log")
                    }
                    guard Date() < readyBy else { throw ValidationErrorMessage("node \(node) did not serve within \(timeoutSeconds) s: \(error)") }
                    try await Task.sleep(nanoseconds: 50_000_000)
                }
            }
        }
    }

    /// Resident set size of a node's process in bytes (VmRSS), nil when not ours or gone.
    func residentBytes(of nodeID: String) -> Int? {
        guard let pid = pids[nodeID], let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kib = Int(fields[1]) { return kib * 1024 }
        }
        return nil
    }

    /// SIGTERM to every node, SIGKILL after a grace period, then removes the temporary folder.
    func stop(graceSeconds: Double = 10) {
        for pid in pids.values { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(graceSeconds)
        while !pids.isEmpty, Date() < deadline {
            for (id, pid) in pids where waitpid(pid, nil, WNOHANG) == pid { pids[id] = nil }
            usleep(20_000)
        }
        for (_, pid) in pids {
            kill(pid, SIGKILL)
            _ = waitpid(pid, nil, 0)
        }
        pids = [:]
        if let directory, ProcessInfo.processInfo.environment["PARASOL_BENCH_KEEP"] == nil {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
