import Foundation
import Logging
import NIOCore
import NIOPosix
import ParasolConfig
import ParasolWire
import ServiceLifecycle

/// One server node as a long-running service: recovers its shards, serves the data port until
/// a graceful shutdown (SIGTERM/SIGINT via `ServiceGroup`), then drains every shard so that no
/// command already accepted is left half-done, and closes its logs.
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
        let node = try config.node(nodeID)
        try DataDirectory.prepare(node.dataDirectory)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threadCount)
        // Bind before recovering, so a port in use is reported at once; the listening socket
        // accepts no connection until every shard has recovered (autoRead is off until then).
        let slot = NodeContextSlot()
        let server = try await bind(node: node, slot: slot, group: group)
        let snapshotPool = NIOThreadPool(numberOfThreads: 1)
        snapshotPool.start()
        var replicas: [UInt32: ShardReplica] = [:]
        do {
            for shard in ShardPlacement(config).shards(on: nodeID) {
                let shardID = UInt32(shard)
                let recovered = try ShardRecovery.recover(
                    shardID: shardID, directory: node.dataDirectory + "/shard-\(shard)",
                    durability: config.durability, logger: logger)
                replicas[shardID] = ShardReplica(
                    shardID: shardID, eventLoop: group.next(), recovered: recovered,
                    snapshotPolicy: config.snapshot, snapshotPool: snapshotPool, logger: logger)
            }
        } catch {
            try? await server.close()
            try? await group.shutdownGracefully()
            try? await snapshotPool.shutdownGracefully()
            throw error
        }
        slot.set(NodeContext(nodeID: nodeID, config: config, replicas: replicas))
        try await server.setOption(.autoRead, value: true).get()
        logger.info("node \(nodeID) serving \(replicas.count) shard(s) on \(node.dataAddress), data in \(node.dataDirectory)")
        let ticker = group.next().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            for replica in replicas.values { replica.tick() }
        }

        try? await gracefulShutdown()

        logger.info("node \(nodeID) shutting down: draining shards")
        ticker.cancel()
        try? await server.close()
        let drained = EventLoopFuture.andAllComplete(replicas.values.map { $0.drain() }, on: group.next())
        try? await drained.get()
        for replica in replicas.values {
            do {
                try replica.close()
            } catch {
                logger.error("shard \(replica.shardID): closing the log failed: \(error)")
            }
        }
        try? await group.shutdownGracefully()
        try? await snapshotPool.shutdownGracefully()
        logger.info("node \(nodeID) stopped")
    }

    private func bind(node: NodeConfig, slot: NodeContextSlot, group: MultiThreadedEventLoopGroup) async throws -> any Channel {
        let frameBytesMax = config.frameBytesMax
        let logger = self.logger
        do {
            return try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.autoRead, value: false)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let context = try slot.get()
                        try channel.pipeline.syncOperations.addHandlers([
                            ByteToMessageHandler(FrameDecoder(frameBytesMax: frameBytesMax)),
                            MessageToByteHandler(FrameEncoder()),
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
