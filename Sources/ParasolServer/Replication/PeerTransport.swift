import Logging
import NIOCore
import ParasolConfig
import ParasolConsensus
import ParasolWire
import Synchronization

/// Carries replication traffic from this node to every other node: two outbound connections per
/// peer, shared by all the shard groups the two nodes have in common.
///
/// Log entries (appends, snapshot chunks) travel on the *bulk* link and everything else
/// (heartbeats, votes, acknowledgements) on the *control* link. On one connection a heartbeat
/// queued behind a 64 MiB append reached the follower only after that append did, often more
/// than an election timeout later: followers campaigned and the primary moved about once a second
/// under large pushes. Raft tolerates reordering between the two; appends keep their order, since
/// every append to one peer (even an empty one) takes the bulk link.
///
/// Raft messages are queued per link and written together on the link's next turn of its event
/// loop, so the heartbeats of every shard two nodes share leave as one `raftMessages` frame per
/// tick rather than one message per shard. Nothing here retries: Raft tolerates lost messages
/// and resends what matters, so a message for a peer that is down is dropped.
final class PeerTransport: Sendable {
    private struct Links: Sendable {
        let control: PeerLink
        let bulk: PeerLink
    }

    private let links: [NodeID: Links]
    private let lossListeners = Mutex<[@Sendable (NodeID) -> Void]>([])
    /// Peers whose latest control connection failed or broke and has not been accepted since.
    /// A peer never tried counts as reachable.
    private let unreachable = Mutex<Set<NodeID>>([])

    /// Bulk links run on `group`, control links on `controlGroup` (a thread of their own, so a
    /// heartbeat, once its shard queued it, does not wait behind a large task on the shared loops).
    init(selfNodeID: String, config: ClusterConfig, group: any EventLoopGroup, controlGroup: any EventLoopGroup, logger: Logger) {
        let members = ClusterMembers(config)
        let selfConsensusID = members.consensusID(of: selfNodeID)!
        var links: [NodeID: Links] = [:]
        for node in config.nodes where node.id != selfNodeID {
            let id = members.consensusID(of: node.id)!
            func link(on loop: any EventLoop) -> PeerLink {
                PeerLink(
                    peer: node, peerConsensusID: id, selfConsensusID: selfConsensusID, token: config.token,
                    frameBytesMax: config.frameBytesMax, eventLoop: loop, logger: logger)
            }
            links[id] = Links(control: link(on: controlGroup.next()), bulk: link(on: group.next()))
        }
        self.links = links
        for pair in links.values {
            for link in [pair.control, pair.bulk] {
                link.onConnectionLost = { [weak self] peer in self?.peerLost(peer) }
            }
            pair.control.onReachabilityChange = { [weak self] peer, reachable in
                self?.unreachable.withLock { set in
                    if reachable { set.remove(peer) } else { set.insert(peer) }
                }
            }
        }
    }

    /// Whether this node may still reach a majority of `group` (itself included): `false` only
    /// when so many of the group's peers are known unreachable that no majority is left. Such a
    /// node cannot learn of a new primary soon (it is cut off, or most of its group is down),
    /// so it should say so to clients at once rather than hold their requests for an election.
    func mayReachMajority(of group: [NodeID], selfID: NodeID) -> Bool {
        let down = unreachable.withLock { set in group.count { $0 != selfID && set.contains($0) } }
        return group.count - down > group.count / 2
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
        guard let pair = links[message.to] else { return }
        let link = if case .append = message.kind { pair.bulk } else { pair.control }
        link.enqueue(ShardRaftMessage(shardID: shard, message: message))
    }

    /// Queues a non-Raft replication message (snapshot chunks and their acknowledgements).
    func send(_ message: Message, shard: UInt32, to peer: NodeID) {
        guard let pair = links[peer] else { return }
        let link = if case .snapshotChunk = message { pair.bulk } else { pair.control }
        link.enqueue(message, shard: shard)
    }

    func close() {
        for pair in links.values {
            pair.control.close()
            pair.bulk.close()
        }
    }
}
