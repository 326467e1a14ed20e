/// One slot of the replicated log: where it sits, which leader created it, and opaque bytes.
///
/// The core never looks inside `payload`; the application decodes it when the entry is committed.
public struct LogEntry: Sendable, Equatable {
    /// Why the entry exists.
    public enum Kind: UInt8, Sendable, Equatable {
        /// A client proposal: apply `payload` to the state machine.
        case normal = 0
        /// Appended by a new leader (Raft §8): committing it proves which earlier entries are
        /// committed, and lets the leader serve lease reads. Applying it must not change state.
        case leaderNoop = 1
    }

    /// Bytes charged per entry on top of its payload when sizing messages and the uncommitted
    /// budget: term + index + kind as a wire encoder would frame them, rounded up.
    public static let headerBytes = 24

    public var term: Term
    public var index: LogIndex
    public var kind: Kind
    public var payload: EntryPayload

    public init(term: Term, index: LogIndex, kind: Kind = .normal, payload: EntryPayload = []) {
        self.term = term
        self.index = index
        self.kind = kind
        self.payload = payload
    }

    /// The size this entry is charged in byte budgets (`payload` + `headerBytes`).
    public var chargedBytes: Int { payload.count + Self.headerBytes }
}
