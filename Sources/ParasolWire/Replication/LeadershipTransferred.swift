/// The answer to `TransferLeadership`: who led before, who leads now, and how long it took, so
/// the operator's tool can report the outage window the hand-over caused.
public struct LeadershipTransferred: Sendable, Equatable {
    /// The node id of the primary that handed over.
    public var previousPrimary: String
    /// The node id of the replica that leads now.
    public var newPrimary: String
    /// The term the new primary leads in.
    public var term: UInt64
    /// Time from the request's arrival to the new primary's election, in microseconds.
    public var elapsedMicros: UInt64

    public init(previousPrimary: String, newPrimary: String, term: UInt64, elapsedMicros: UInt64) {
        self.previousPrimary = previousPrimary
        self.newPrimary = newPrimary
        self.term = term
        self.elapsedMicros = elapsedMicros
    }
}
