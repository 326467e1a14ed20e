import ArgumentParser
import Foundation
import ParasolClient
import ParasolConfig

/// `parasol cluster up`: runs every node of a cluster file as child processes of this one,
/// restarts a node that dies (so a kill -9 shows recovery from snapshot + log), and stops them
/// all on Ctrl-C or SIGTERM.
struct ClusterUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Start every node of the cluster file here; Ctrl-C stops them all.")

    @OptionGroup var cluster: ClusterOption

    @Flag(help: "Do not restart a node that exits unexpectedly.")
    var noRestart = false

    @Option(help: "Seconds to wait for every node to serve before giving up.")
    var readyTimeout: Double = 60

    func run() async throws {
        let config = try cluster.load()
        let supervisor = try NodeSupervisor(config: config, clusterFile: cluster.cluster, restart: !noRestart)
        let stop = SignalWatcher(signals: [SIGINT, SIGTERM])
        try supervisor.startAll()
        for node in config.nodes {
            print("node \(node.id): data \(node.dataAddress), log \(supervisor.logPath(of: node)), pid file \(supervisor.pidPath(of: node))")
        }
        let client = ParasolClient(config: config, options: ClientOptions(connectTimeoutSeconds: 1))
        let readyBy = Date().addingTimeInterval(readyTimeout)
        for node in config.nodes {
            while true {
                if stop.fired {
                    supervisor.stopAll()
                    await client.close()
                    throw ExitCode(130)
                }
                do {
                    try await client.probe(node.id, timeoutSeconds: 1)
                    break
                } catch {
                    if let exit = supervisor.exitedForGood(node.id) {
                        supervisor.stopAll()
                        await client.close()
                        throw ValidationError("node \(node.id) exited (\(exit)) before serving; see \(supervisor.logPath(of: node))")
                    }
                    guard Date() < readyBy else {
                        supervisor.stopAll()
                        await client.close()
                        throw ValidationError("node \(node.id) did not serve within \(readyTimeout) s: \(error); see \(supervisor.logPath(of: node))")
                    }
                    try await Task.sleep(nanoseconds: 100_000_000)
                }
            }
        }
        await client.close()
        print("cluster \(config.name) is up: \(config.nodes.count) node(s), \(config.shardCount) shard(s). Ctrl-C stops it.")
        fflush(nil)
        while !stop.fired {
            supervisor.superviseOnce()
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        print("stopping cluster \(config.name)")
        supervisor.stopAll()
        print("stopped")
    }
}
