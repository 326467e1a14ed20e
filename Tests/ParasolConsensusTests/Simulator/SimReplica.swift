import ParasolConsensus

/// One simulated server: the real `RaftNode` (nil while crashed) plus everything its shell owns.
/// Hot state is marked `@exclusivity(unchecked)`: the runtime's dynamic exclusivity checks on
/// class properties cost a third of the swarm's time, and a run is confined to one thread.
final class SimReplica {
    let id: NodeID
    let config: Config
    @exclusivity(unchecked) var node: RaftNode?
    /// Bumped on every crash so events of an earlier life (disk syncs) are recognised as stale.
    @exclusivity(unchecked) var incarnation = 0
    @exclusivity(unchecked) var disk = SimDisk()
    @exclusivity(unchecked) var state = CounterState()
    /// The `Ready` being persisted; messages and applies wait for its sync.
    @exclusivity(unchecked) var readyInFlight: Ready?
    /// Proposals this replica accepted as leader, by log index, to answer the client on apply.
    @exclusivity(unchecked) var proposals: [LogIndex: PendingProposal] = [:]
    /// Snapshot bytes that arrived from a leader, until a `Ready` says to install them.
    @exclusivity(unchecked) var receivedSnapshots: [SnapshotMeta: CounterState] = [:]
    /// While set, the node's thread is stalled: it started at `start` and ends at `end`.
    @exclusivity(unchecked) var stall: (start: UInt64, end: UInt64)?

    struct PendingProposal {
        var client: UInt32
        var seq: UInt32
        var term: Term
    }

    init(config: Config) throws {
        id = config.id
        self.config = config
        node = try RaftNode(config: config)
    }

    var isUp: Bool { node != nil }
}
