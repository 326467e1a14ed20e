/// Asks a shard's primary (the frame's shard id) to hand its leadership to another replica:
/// an operator draining a node before maintenance, or rebalancing primaries across nodes.
///
/// The primary catches the target up and tells it to campaign (Raft thesis §3.10); it answers
/// `leadershipTransferred` once the target leads, or `error` when the transfer failed or timed out.
public struct TransferLeadership: Sendable, Equatable {
    /// The node id from the cluster file (e.g. "n2"); empty lets the primary pick its most
    /// caught-up follower.
    public var target: String
    /// How long the primary tries before it answers with an error and keeps leading.
    public var timeoutMillis: UInt32

    public init(target: String, timeoutMillis: UInt32) {
        self.target = target
        self.timeoutMillis = timeoutMillis
    }
}
