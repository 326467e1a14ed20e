/// What `POST /shards/{id}/failover` answers when the hand-over happened.
public struct FailoverOutcome: Sendable, Codable, Equatable {
    public var shard: Int
    /// The primary before the transfer, nil when the shard had none.
    public var previousPrimary: String?
    /// The primary after the transfer.
    public var newPrimary: String
    /// The term the new primary leads.
    public var term: UInt64

    public init(shard: Int, previousPrimary: String?, newPrimary: String, term: UInt64) {
        self.shard = shard
        self.previousPrimary = previousPrimary
        self.newPrimary = newPrimary
        self.term = term
    }
}
