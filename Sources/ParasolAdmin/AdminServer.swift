import Logging
import NIOCore
import NIOPosix

/// The admin plane of one node: `/health`, `/shards`, `/metrics`, `/livez`, `/readyz` and
/// failover, served on one TCP port as HTTP/2 with prior knowledge (via libnghttp2) and as
/// HTTP/1.1, told apart by the HTTP/2 client preface.
///
/// Handlers never run on the event loop: every request is answered by the router in a task
/// that asks the `AdminDataSource`, and only the framing happens on the loop. A malformed
/// request ends its own connection; the server keeps serving. `shutdown` drains in-flight
/// requests before it closes connections. Routes and JSON schemas: Protocols/admin.md.
public final class AdminServer: Sendable {
    public struct Configuration: Sendable {
        /// Address to listen on, e.g. "127.0.0.1" or "0.0.0.0".
        public var host: String
        /// Port to listen on; 0 picks a free one (see `port` after `start`).
        public var port: Int
        /// The cluster token; when not empty, failover requires `Authorization: Bearer <token>`.
        public var token: String
        public var limits: AdminLimits

        public init(host: String, port: Int, token: String = "", limits: AdminLimits = AdminLimits()) {
            self.host = host
            self.port = port
            self.token = token
            self.limits = limits
        }
    }

    /// The port the server listens on (the chosen one when the configuration said 0).
    public let port: Int
    private let serverChannel: any Channel
    private let connections: ConnectionRegistry
    private let logger: Logger

    private init(serverChannel: any Channel, port: Int, connections: ConnectionRegistry, logger: Logger) {
        self.serverChannel = serverChannel
        self.port = port
        self.connections = connections
        self.logger = logger
    }

    /// Binds the port and starts serving.
    ///
    /// - Parameters:
    ///   - metricsFactory: the factory the process bootstrapped `MetricsSystem` with; `GET
    ///     /metrics` renders its registry.
    ///   - metrics: when given, admin connections are counted in `parasol_open_connections`.
    public static func start(
        configuration: Configuration, dataSource: any AdminDataSource, metricsFactory: ParasolMetricsFactory,
        metrics: ParasolMetrics? = nil, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "parasol.admin")
    ) async throws(AdminServerError) -> AdminServer {
        let router = AdminRouter(dataSource: dataSource, metricsFactory: metricsFactory, token: configuration.token)
        let limits = configuration.limits
        let connections = ConnectionRegistry()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                guard connections.register(channel, limit: limits.connectionsMax) else {
                    return channel.close()
                }
                metrics?.connectionOpened(.admin)
                channel.closeFuture.whenComplete { _ in
                    connections.unregister(channel)
                    metrics?.connectionClosed(.admin)
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        IdleStateHandler(readTimeout: .seconds(Int64(limits.idleTimeoutSeconds))),
                        IdleConnectionCloser(),
                        AdminProtocolSniffer(router: router, limits: limits),
                    ])
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            throw .bindFailed(host: configuration.host, port: configuration.port, reason: "\(error)")
        }
        let port = channel.localAddress?.port ?? configuration.port
        logger.info("admin plane listening", metadata: ["address": "\(configuration.host):\(port)"])
        return AdminServer(serverChannel: channel, port: port, connections: connections, logger: logger)
    }

    /// Stops accepting, asks every connection to finish (HTTP/2: shutdown notice, PING, then
    /// GOAWAY with the last stream id; HTTP/1.1: close after the response in flight) and waits
    /// until all are closed. Connections still open after `gracePeriod` are closed hard.
    public func shutdown(gracePeriod: Duration = .seconds(5)) async {
        try? await serverChannel.close()
        let open = connections.stopAccepting()
        logger.info("admin plane shutting down", metadata: ["openConnections": "\(open.count)"])
        for channel in open {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        guard let loop = open.first?.eventLoop else { return }
        let allClosed = EventLoopFuture.andAllComplete(open.map(\.closeFuture), on: loop)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await allClosed.get()
            }
            group.addTask {
                guard (try? await Task.sleep(for: gracePeriod)) != nil else { return }
                for channel in open {
                    channel.close(promise: nil)
                }
            }
            await group.next()
            group.cancelAll()
        }
    }
}

/// Why the admin server could not start.
public enum AdminServerError: Error, Sendable, Equatable, CustomStringConvertible {
    case bindFailed(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .bindFailed(let host, let port, let reason):
            "cannot listen for admin requests on \(host):\(port): \(reason)"
        }
    }
}
