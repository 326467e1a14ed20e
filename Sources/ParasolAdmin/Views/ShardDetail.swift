import Foundation

/// What `GET /shards/{id}` answers: one shard's summary plus its recent leadership changes.
///
/// In JSON the summary's fields sit at the top level next to `leadershipChanges`, so a client
/// that reads `/shards` entries can read this one with the same code.
public struct ShardDetail: Sendable, Codable, Equatable {
    public var summary: ShardSummary
    /// Newest last; the server keeps a bounded number of them.
    public var leadershipChanges: [LeadershipChange]

    public init(summary: ShardSummary, leadershipChanges: [LeadershipChange]) {
        self.summary = summary
        self.leadershipChanges = leadershipChanges
    }

    private enum CodingKeys: String, CodingKey {
        case leadershipChanges
    }

    public init(from decoder: any Decoder) throws {
        summary = try ShardSummary(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        leadershipChanges = try container.decode([LeadershipChange].self, forKey: .leadershipChanges)
    }

    public func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(leadershipChanges, forKey: .leadershipChanges)
    }
}

/// One change of a shard's primary.
public struct LeadershipChange: Sendable, Codable, Equatable {
    /// When the answering node learned of the change (ISO 8601 in JSON).
    public var time: Date
    /// The previous primary, nil when there was none (startup, or after a lost primary).
    public var from: String?
    /// The new primary, nil when the shard lost its primary without a successor yet.
    public var to: String?
    /// The term the change happened in.
    public var term: UInt64
    public var cause: LeadershipChangeCause

    public init(time: Date, from: String?, to: String?, term: UInt64, cause: LeadershipChangeCause) {
        self.time = time
        self.from = from
        self.to = to
        self.term = term
        self.cause = cause
    }
}

/// Why a shard's primary changed.
public enum LeadershipChangeCause: String, Sendable, Codable, Equatable, CaseIterable {
    /// Replicas elected a new primary because they stopped hearing from the old one.
    case election
    /// An operator (or the server) asked the primary to hand over, e.g. `POST …/failover`.
    case transfer
    /// The first primary after the cluster (or this node) started.
    case startup
}
