/// Why `RaftNode.transferLeadership(to:)` refused.
public enum TransferError: Error, Equatable, CustomStringConvertible {
    case notLeader(leaderHint: NodeID?)
    case targetIsSelf(NodeID)
    case unknownTarget(NodeID)

    public var description: String {
        switch self {
        case .notLeader(let hint):
            "only the leader can transfer leadership" + (hint.map { "; the leader is \($0)" } ?? "")
        case .targetIsSelf(let id):
            "\(id) is already the leader; transferring to itself means nothing"
        case .unknownTarget(let id):
            "\(id) is not a replica of this group"
        }
    }
}

/// Why `RaftNode.compact(through:)` refused: the snapshot does not describe a prefix the node
/// may forget.
public enum CompactionError: Error, Equatable, CustomStringConvertible {
    case notBeyondCurrentSnapshot(requested: LogIndex, current: LogIndex)
    case beyondApplied(requested: LogIndex, applied: LogIndex)
    case beyondPersisted(requested: LogIndex, persisted: LogIndex)
    case termMismatch(index: LogIndex, snapshotTerm: Term, logTerm: Term?)

    public var description: String {
        switch self {
        case .notBeyondCurrentSnapshot(let requested, let current):
            "snapshot index \(requested) is not beyond the current snapshot \(current)"
        case .beyondApplied(let requested, let applied):
            "snapshot index \(requested) is beyond the applied index \(applied)"
        case .beyondPersisted(let requested, let persisted):
            "snapshot index \(requested) is beyond the persisted index \(persisted)"
        case .termMismatch(let index, let snapshotTerm, let logTerm):
            "snapshot says term \(snapshotTerm) at index \(index) but the log has \(logTerm.map(String.init) ?? "nothing")"
        }
    }
}

/// Why a node could not be rebuilt from persisted state.
public enum RestoreError: Error, Equatable, CustomStringConvertible {
    case invalidConfig(ConfigError)
    case entriesNotContiguous(expectedIndex: LogIndex, foundIndex: LogIndex)
    case entryTermsDecrease(index: LogIndex, term: Term, previousTerm: Term)
    case commitBeyondLastIndex(commit: LogIndex, lastIndex: LogIndex)
    case voteForUnknownNode(NodeID)

    public var description: String {
        switch self {
        case .invalidConfig(let error):
            "invalid config: \(error)"
        case .entriesNotContiguous(let expected, let found):
            "persisted entries are not contiguous: expected index \(expected), found \(found)"
        case .entryTermsDecrease(let index, let term, let previous):
            "persisted entry \(index) has term \(term), lower than the previous entry's \(previous)"
        case .commitBeyondLastIndex(let commit, let last):
            "persisted commit \(commit) is beyond the last persisted entry \(last)"
        case .voteForUnknownNode(let id):
            "persisted vote for \(id), which is not a replica of this group"
        }
    }
}
