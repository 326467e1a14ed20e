import Foundation
import Logging
import NIOCore
import NIOPosix
import ParasolAdmin
import ParasolConfig
import ParasolWire
import ServiceLifecycle

/// One server node as a long-running service: recovers its shards, serves the data port and the
/// admin plane until a graceful shutdown (SIGTERM/SIGINT via `ServiceGroup`), then stops the
/// admin plane, drains every shard so that no command already accepted is left half-done, and
/// closes its logs.
public final class ParasolNode: Service, Sendable {
    public let nodeID: String
    private let config: ClusterConfig
    private let logger: Logger
    private let threadCount: Int

    public init(config: ClusterConfig, nodeID: String, logger: Logger, threadCount: Int = System.coreCount) {
        self.config = config
        self.nodeID = nodeID
        self.logger = logger
        self.threadCount = max(1, threadCount)
    }

    public func run() async throws {
        let processStarted = Date()
        let node = try config.node(nodeID)
        try DataDirectory.prepare(node.dataDirectory)
        let starts = try NodeStarts.recordStart(inDirectory: node.dataDirectory, now: processStarted, logger: logger)
        let metrics = ParasolMetrics(factory: ProcessMetrics.factory)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threadCount)
        // Bind both ports before recovering, so a port in use is reported at once; the data
        // socket accepts no connection until every shard has recovered (autoRead is off until
        // then), while the admin plane answers at once (`/readyz` says 503 until recovered).
        let slot = NodeContextSlot()
        let server = try await bind(node: node, slot: slot, group: group)
        let admin: AdminServer
        do {
            admin = try await AdminServer.start(
                configuration: .init(host: node.adminAddress.host, port: node.adminAddress.port, token: config.token),
                dataSource: NodeAdminDataSource(
                    nodeID: nodeID, config: config, slot: slot, starts: starts, processStarted: processStarted),
                metricsFactory: ProcessMetrics.factory, metrics: metrics, group: group, logger: logger)
        } catch {
            try? await server.close()
            try? await group.shutdownGracefully()
            let reason: String
            switch error {
            case .bindFailed(_, _, let bindReason): reason = bindReason
            }
            throw ServerError.cannotListen(nodeID: nodeID, role: "admin", address: node.adminAddress.description, reason: reason)
        }
        // Snapshots (seconds for a large shard) and the hard-state file (a vote must be durable
        // before it is sent, so elections wait for it) get separate threads: a snapshot being
        // written never delays an election.
        let ioPool = NIOThreadPool(numberOfThreads: 1)
        ioPool.start()
        ioPool.submit { _ in BackgroundThread.lowerPriority() }
        let hardStatePool = NIOThreadPool(numberOfThreads: 1)
        hardStatePool.start()
        // Heartbeats and votes leave from a thread of their own: on the shared loops they waited
        // behind applying or copying a 64 MiB push, long enough for replicas to campaign.
        let controlGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let transport = PeerTransport(selfNodeID: nodeID, config: config, group: group, controlGroup: controlGroup, logger: logger)
        let placement = ShardPlacement(config)
        var replicas: [UInt32: ShardReplica] = [:]
        do {
            for shard in placement.shards(on: nodeID) {
                let shardID = UInt32(shard)
                let recovered = try ShardRecovery.recover(
                    shardID: shardID, directory: node.dataDirectory + "/shard-\(shard)",
                    durability: config.durability, logger: logger, onLogSync: { metrics.recordWALFsync($0) })
                // The only randomness of consensus (election timeouts) comes from this seed, logged
                // so that a run's elections can be replayed in the simulator.
                let seed = UInt64.random(in: 1...UInt64.max)
                logger.debug("shard \(shard): consensus seed \(seed)")
                replicas[shardID] = try ShardReplica(
                    shardID: shardID, eventLoop: group.next(), nodeID: nodeID, replicaNodes: placement.replicas(of: shard),
                    config: config, recovered: recovered, transport: transport, ioPool: ioPool, hardStatePool: hardStatePool,
                    metrics: metrics.shard(shard),
                    randomSeed: seed, logger: logger)
            }
        } catch {
            await admin.shutdown()
            try? await server.close()
            try? await group.shutdownGracefully()
            try? await controlGroup.shutdownGracefully()
            try? await ioPool.shutdownGracefully()
            try? await hardStatePool.shutdownGracefully()
            throw error
        }
        slot.set(NodeContext(nodeID: nodeID, config: config, replicas: replicas, metrics: metrics, transport: transport))
        for replica in replicas.values { replica.start() }
        try await server.setOption(.autoRead, value: true).get()
        logger.info(
            "node \(nodeID) serving \(replicas.count) shard replica(s) on \(node.dataAddress), admin on \(node.adminAddress), data in \(node.dataDirectory) (start \(starts.startCount))")

        try? await gracefulShutdown()

        logger.info("node \(nodeID) shutting down: stopping the admin plane, then draining shards")
        await admin.shutdown()
        try? await server.close()
        let drained = EventLoopFuture.andAllComplete(replicas.values.map { $0.drain() }, on: group.next())
        try? await drained.get()
        // Hand every primary role this node holds to a caught-up replica before leaving, so its
        // shards keep serving without waiting out an election timeout.
        await withTaskGroup(of: Void.self) { tasks in
            for replica in replicas.values {
                tasks.addTask { await replica.handOffLeadership(timeout: .seconds(1)) }
            }
        }
        for replica in replicas.values {
            do {
                try replica.close()
            } catch {
                logger.error("shard \(replica.shardID): closing the log failed: \(error)")
            }
        }
        transport.close()
        try? await group.shutdownGracefully()
        try? await controlGroup.shutdownGracefully()
        try? await ioPool.shutdownGracefully()
        try? await hardStatePool.shutdownGracefully()
        logger.info("node \(nodeID) stopped")
    }

    private func bind(node: NodeConfig, slot: NodeContextSlot, group: MultiThreadedEventLoopGroup) async throws -> any Channel {
        let frameBytesMax = config.frameBytesMax
        let idleTimeoutSeconds = config.idleTimeoutSeconds
        let logger = self.logger
        do {
            return try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.autoRead, value: false)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelOption(.recvAllocator, value: FrameDecoder.receiveAllocator())
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let context = try slot.get()
                        try channel.pipeline.syncOperations.addHandlers([
                            IdleStateHandler(allTimeout: .seconds(Int64(idleTimeoutSeconds))),
                            ByteToMessageHandler(FrameDecoder(frameBytesMax: frameBytesMax)),
                            FrameEncoder(),
                            ConnectionHandler(node: context, logger: logger),
                        ])
                    }
                }
                .bind(host: node.dataAddress.host, port: node.dataAddress.port)
                .get()
        } catch {
            try? await group.shutdownGracefully()
            throw ServerError.cannotListen(nodeID: nodeID, role: "data", address: node.dataAddress.description, reason: "\(error)")
        }
    }
}
