/// The outcome of `RaftNode.propose(_:)`: where the entry went, or why it was refused.
public typealias ProposeResult = Result<ProposalReceipt, ProposeError>

/// Where an accepted proposal sits. It is committed once an entry at `index` with `term` is
/// applied; if a different term shows up at `index`, the proposal was lost in a leader change
/// and the client should retry.
public struct ProposalReceipt: Sendable, Equatable {
    public var index: LogIndex
    public var term: Term
}

/// Why a proposal was refused. Nothing was appended; the client may retry.
public enum ProposeError: Error, Equatable, CustomStringConvertible {
    /// Only the leader appends; `leaderHint` is who this node believes leads (nil if unknown).
    case notLeader(leaderHint: NodeID?)
    /// The leader is handing over to `target` and accepts nothing until that ends.
    case leadershipTransferInProgress(target: NodeID)
    /// Uncommitted proposals already use `maxUncommittedBytes`; followers are behind.
    case uncommittedBytesLimitReached(uncommittedBytes: Int, limitBytes: Int)

    public var description: String {
        switch self {
        case .notLeader(let hint):
            "this replica is not the leader" + (hint.map { "; try \($0)" } ?? "; no leader known")
        case .leadershipTransferInProgress(let target):
            "leadership is being transferred to \(target); retry after the transfer"
        case .uncommittedBytesLimitReached(let used, let limit):
            "\(used) uncommitted bytes already queued (limit \(limit)); retry when followers catch up"
        }
    }
}
