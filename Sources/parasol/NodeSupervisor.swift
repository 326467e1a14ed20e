import Foundation
import ParasolConfig

#if canImport(Glibc)
import Glibc
#endif

/// Runs the nodes of a cluster file as child processes of `parasol cluster up`.
///
/// Children get their own process group, so a Ctrl-C in the terminal reaches only the
/// supervisor, which then stops them in order (SIGTERM, then SIGKILL after a grace period).
/// A child that dies on its own is restarted after a pause, unless it keeps dying at start.
final class NodeSupervisor {
    private struct Child {
        var pid: pid_t
        var startedAt: Date
        var quickExits: Int
        var lastExit: String?
    }

    private let config: ClusterConfig
    private let clusterFile: String
    private let restart: Bool
    private let executable: String
    private var children: [String: Child] = [:]
    private var givenUp: [String: String] = [:]

    /// A node that exits this soon after starting this many times in a row is not restarted.
    private let quickExitSeconds = 3.0
    private let quickExitsMax = 3

    init(config: ClusterConfig, clusterFile: String, restart: Bool) throws {
        self.config = config
        self.clusterFile = URL(fileURLWithPath: clusterFile).standardizedFileURL.path
        self.restart = restart
        self.executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }

    func logPath(of node: NodeConfig) -> String { node.dataDirectory + "/server.log" }
    func pidPath(of node: NodeConfig) -> String { node.dataDirectory + "/server.pid" }

    func startAll() throws {
        for node in config.nodes {
            try start(node, quickExits: 0)
        }
    }

    private func start(_ node: NodeConfig, quickExits: Int) throws {
        try FileManager.default.createDirectory(atPath: node.dataDirectory, withIntermediateDirectories: true)
        let pid = try ChildProcess.spawn(
            executable: executable, arguments: ["server", "--cluster", clusterFile, "--node", node.id, "--parent", "\(getpid())"], outputPath: logPath(of: node))
        try "\(pid)\n".write(toFile: pidPath(of: node), atomically: true, encoding: .utf8)
        children[node.id] = Child(pid: pid, startedAt: Date(), quickExits: quickExits)
    }

    /// Reaps exited children and restarts them; call periodically.
    func superviseOnce() {
        for node in config.nodes {
            guard let child = children[node.id], let exit = reap(child.pid) else { continue }
            children[node.id] = nil
            let quick = Date().timeIntervalSince(child.startedAt) < quickExitSeconds
            let quickExits = quick ? child.quickExits + 1 : 0
            guard restart, quickExits < quickExitsMax else {
                givenUp[node.id] = exit
                print("node \(node.id) \(exit); not restarting (see \(logPath(of: node)))")
                continue
            }
            print("node \(node.id) \(exit); restarting it (recovers from its snapshot and log)")
            fflush(nil)
            usleep(500_000)
            do {
                try start(node, quickExits: quickExits)
            } catch {
                givenUp[node.id] = "could not be restarted: \(error)"
            }
        }
    }

    /// Why a node is down for good, or nil while it runs or will be restarted.
    func exitedForGood(_ nodeID: String) -> String? {
        superviseOnce()
        return givenUp[nodeID]
    }

    /// SIGTERM to every child, then SIGKILL to any still running after the grace period.
    func stopAll(graceSeconds: Double = 15) {
        for child in children.values { kill(child.pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(graceSeconds)
        while !children.isEmpty, Date() < deadline {
            for (id, child) in children where reap(child.pid) != nil {
                children[id] = nil
            }
            usleep(50_000)
        }
        for child in children.values {
            kill(child.pid, SIGKILL)
            _ = reap(child.pid, blocking: true)
        }
        children = [:]
    }

    private func reap(_ pid: pid_t, blocking: Bool = false) -> String? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
        guard result == pid else { return result < 0 ? "is gone" : nil }
        let signalled = status & 0x7f
        return signalled != 0 ? "was killed by signal \(signalled)" : "exited with status \((status >> 8) & 0xff)"
    }
}

/// A plain error whose description is its message.
struct ValidationErrorMessage: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
