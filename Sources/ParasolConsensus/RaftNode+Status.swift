/// Read-only views for operators: what a leader knows about each follower.
extension RaftNode {
    /// One follower as its leader sees it.
    public struct FollowerStatus: Sendable, Equatable {
        public var node: NodeID
        /// Highest index known to be replicated on the follower.
        public var matchIndex: LogIndex
        /// Heard from since the last CheckQuorum round.
        public var recentlyActive: Bool
        /// A snapshot is being streamed to it.
        public var receivingSnapshot: Bool
    }

    /// Every other replica's replication progress; empty unless this node leads.
    public var followers: [FollowerStatus] {
        guard role == .leader else { return [] }
        return replicas.indices.filter { $0 != selfSlot }.map { slot in
            let receiving: Bool = if case .snapshot = progress[slot].state { true } else { false }
            return FollowerStatus(
                node: replicas[slot], matchIndex: progress[slot].match,
                recentlyActive: progress[slot].recentActive, receivingSnapshot: receiving)
        }
    }

    /// Every replica of the group, including this one, in ascending order.
    public var members: [NodeID] { replicas }
}
