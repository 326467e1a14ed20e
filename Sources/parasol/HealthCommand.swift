import ArgumentParser
import Foundation
import ParasolAdmin
import ParasolConfig

/// `parasol health`: asks every node's admin plane at once and prints one merged view of the
/// cluster — shard status, primaries, lag, snapshot age, nodes down, and a reliability
/// estimate — exiting 0 when all is healthy, 1 when degraded, 2 when a shard is unavailable.
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Show every shard's status, primary and lag, nodes down, and a reliability estimate.",
        discussion: "Exit status: 0 all healthy, 1 some shard degraded or node down, 2 some shard unavailable or no node reachable.")

    @OptionGroup var cluster: ClusterOption

    @Flag(help: "Print the report as JSON instead of tables.")
    var json = false

    @Flag(help: "Refresh every second until interrupted.")
    var watch = false

    @Option(help: "Seconds to wait for each node's answer; a node slower than this counts as down.")
    var timeout: Double = 1

    func validate() throws {
        guard timeout > 0, timeout <= 60 else {
            throw ValidationError("--timeout must be above 0 and at most 60 seconds, got \(timeout)")
        }
    }

    func run() async throws {
        let config = try cluster.load()
        let probe = ClusterHealthProbe(perNodeTimeout: .milliseconds(Int((timeout * 1000).rounded())))
        let targets = config.nodes.map {
            ClusterHealthProbe.Target(node: $0.id, host: $0.adminAddress.host, port: $0.adminAddress.port)
        }
        let configuredInterval = config.snapshot.everySeconds > 0 ? Double(config.snapshot.everySeconds) : nil
        let isTerminal = isatty(STDOUT_FILENO) == 1
        while true {
            let report = HealthReport.merge(
                cluster: config.name, shardCount: config.shardCount, probes: await probe.probe(targets),
                configuredSnapshotIntervalSeconds: configuredInterval)
            if watch && isTerminal {
                print("\u{1B}[H\u{1B}[2J", terminator: "")
            }
            // One JSON document per line when watching, so the stream can be piped to jq.
            print(json ? report.json(pretty: !watch) : report.table(colors: isTerminal))
            fflush(nil)  // all streams: naming `stdout` is not concurrency-safe in Swift 6
            guard watch else {
                if report.exitCode != 0 {
                    throw ExitCode(report.exitCode)
                }
                return
            }
            if !json {
                print("")
            }
            try await Task.sleep(for: .seconds(1))
        }
    }
}
