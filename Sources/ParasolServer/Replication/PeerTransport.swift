import Logging
import NIOCore
import ParasolConfig
import ParasolConsensus
import ParasolWire
import Synchronization

/// Carries replication traffic from this node to every other node: one outbound connection per
/// peer, shared by all the shard groups the two nodes have in common.
///
/// Raft messages are queued per peer and written together on the link's next turn of its event
/// loop, so the heartbeats of every shard two nodes share leave as one `raftMessages` frame per
/// tick rather than one message per shard. Nothing here retries: Raft tolerates lost messages
/// and resends what matters, so a message for a peer that is down is dropped.
final class PeerTransport: Sendable {
    private let links: [NodeID: PeerLink]
    private let lossListeners = Mutex<[@Sendable (NodeID) -> Void]>([])

    init(selfNodeID: String, config: ClusterConfig, group: any EventLoopGroup, logger: Logger) {
        let members = ClusterMembers(config)
        let selfConsensusID = members.consensusID(of: selfNodeID)!
        var links: [NodeID: PeerLink] = [:]
        for node in config.nodes where node.id != selfNodeID {
            let id = members.consensusID(of: node.id)!
            links[id] = PeerLink(
                peer: node, peerConsensusID: id, selfConsensusID: selfConsensusID, token: config.token,
                frameBytesMax: config.frameBytesMax, eventLoop: group.next(), logger: logger)
        }
        self.links = links
        for link in links.values {
            link.onConnectionLost = { [weak self] peer in self?.peerLost(peer) }
        }
    }

    /// Registers `listener` to hear when an established connection to a peer breaks (its
    /// process died, or the network did): a hint, faster than any timeout, that it may be gone.
    func onPeerLost(_ listener: @escaping @Sendable (NodeID) -> Void) {
        lossListeners.withLock { $0.append(listener) }
    }

    private func peerLost(_ peer: NodeID) {
        for listener in lossListeners.withLock({ $0 }) { listener(peer) }
    }

    /// Queues `message` for its addressee (`message.to`).
    func send(_ message: RaftMessage, shard: UInt32) {
        links[message.to]?.enqueue(ShardRaftMessage(shardID: shard, message: message))
    }

    /// Queues a non-Raft replication message (snapshot chunks and their acknowledgements).
    func send(_ message: Message, shard: UInt32, to peer: NodeID) {
        links[peer]?.enqueue(message, shard: shard)
    }

    func close() {
        for link in links.values { link.close() }
    }
}
