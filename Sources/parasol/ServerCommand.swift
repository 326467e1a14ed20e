import ArgumentParser
import Glibc
import Logging
import ParasolConfig
import ParasolServer
import ServiceLifecycle
import UnixSignals

/// `parasol server`: runs one node of the cluster in the foreground until SIGTERM/SIGINT.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "Run one server node of the cluster (until SIGTERM or Ctrl-C).")

    @OptionGroup var cluster: ClusterOption

    @Option(name: .long, help: "The id of the node to run, as in the cluster file.")
    var node: String

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(name: .long, help: "Stop gracefully when this process, which started the node, is no longer its parent (it exited): `cluster up` and `bench` pass their pid, so their servers never outlive them.")
    var parent: Int32?

    func run() async throws {
        let config = try cluster.load()
        do {
            _ = try config.node(node)
        } catch {
            throw ValidationError(error.description)
        }
        if let parent, parent != getppid() {
            throw ValidationError("--parent \(parent) is not the process that started this one (\(getppid())): it exited already, or the pid is wrong")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        let logger = Logger(label: "parasol.\(node)")
        let service = ParasolNode(config: config, nodeID: node, logger: logger)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: service, successTerminationBehavior: .gracefullyShutdownGroup),
        ]
        // Last, so a shutdown for another reason ends the watch first.
        if let parent {
            services.append(.init(service: ParentWatch(parent: parent, logger: logger), successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("node \(node) failed: \(error)")
            throw ExitCode(1)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
