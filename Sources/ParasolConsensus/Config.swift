/// Every knob of one replica's consensus instance, with its unit and why its default is what it is.
///
/// Time is counted in *ticks*: the shell calls `RaftNode.tick()` on a fixed period (Parasol's
/// server uses 10 ms) and must catch up missed ticks from a monotonic clock after a stall, so
/// that a tick always means the same wall time (the leader lease depends on it, see
/// `leaseSafetyMarginTicks`). The defaults give ~30 ms heartbeats and 150–300 ms election
/// timeouts: a killed leader is replaced in roughly 200 ms on a LAN.
public struct Config: Sendable, Equatable {
    /// This replica. Never zero (zero means "nobody" on the wire).
    public var id: NodeID

    /// Every voting replica of the group, *including* `id`. Membership is static.
    public var peers: [NodeID]

    /// Ticks between two leader heartbeats. Default 3 (~30 ms): several heartbeats fit in one
    /// election timeout, so one or two lost heartbeats never trigger an election.
    public var heartbeatTicks: Int = 3

    /// Base election timeout in ticks. A follower that hears no leader for a random duration in
    /// [electionTicks, 2 × electionTicks) campaigns. Default 15 (150–300 ms): five heartbeats,
    /// far above LAN round trips, and the randomised spread makes split votes rare (§5.2).
    /// It is also the length of the CheckQuorum period and of the leader-stickiness window.
    public var electionTicks: Int = 15

    /// How long a silence means the other side is gone: a follower that hears no leader for a
    /// random duration in [silenceTimeoutTicks, silenceTimeoutTicks + electionTicks) campaigns,
    /// and a leader that heard from no quorum for silenceTimeoutTicks steps down (CheckQuorum).
    /// Nil (the default) means `electionTicks`, classic Raft. Leader stickiness and the lease
    /// keep `electionTicks`, so a longer value only makes both sides wait longer before acting on
    /// silence alone: it never lets two leaders serve reads. A shell that learns of a dead leader
    /// sooner (its connection closed) may still call `campaign()` as soon as stickiness allows.
    public var silenceTimeoutTicks: Int?

    /// The silence after which followers campaign and leaders check their quorum.
    public var effectiveSilenceTimeoutTicks: Int { silenceTimeoutTicks ?? electionTicks }

    /// Campaign with a pre-vote round first (thesis §9.6): a node that was partitioned away and
    /// returns cannot bump terms and depose a healthy leader. Default on: it costs one extra
    /// round trip per election and removes a whole class of availability incidents.
    public var preVote: Bool = true

    /// A leader that has not heard from a quorum within one election timeout steps down, and
    /// followers ignore vote requests while they heard from a leader within an election timeout
    /// (leader stickiness). Default on: a leader cut off from the majority stops accepting writes,
    /// and it is the precondition of lease reads.
    public var checkQuorum: Bool = true

    /// Ticks subtracted from the election timeout to get the lease length: the leader serves
    /// local reads only while a quorum acknowledged a message it sent less than
    /// (electionTicks − leaseSafetyMarginTicks) ticks ago. Covers clock-rate drift and a late
    /// tick on the leader. Default 3 (30 ms lease slack, 120 ms lease).
    public var leaseSafetyMarginTicks: Int = 3

    /// Append messages in flight per follower before the leader waits for acknowledgements
    /// (pipelined replication). Default 64: with `maxEntriesBytesPerMessage` that bounds a
    /// slow follower's backlog at 64 MiB while keeping a LAN link busy.
    public var maxInflightMessages: Int = 64

    /// Byte budget (payload + `LogEntry.headerBytes` per entry) of one append message; an entry
    /// larger than the budget still travels alone. Default 1 MiB: amortises framing without
    /// making one message monopolise a connection.
    public var maxEntriesBytesPerMessage: Int = 1 << 20

    /// Bytes of proposals the leader holds uncommitted before refusing new ones. Default 64 MiB:
    /// bounds leader memory when followers fall behind; clients retry with back-off.
    public var maxUncommittedBytes: Int = 64 << 20

    /// Ticks a follower may stay in "snapshot being streamed" before the leader assumes the
    /// stream was lost and starts over. Default 6000 (60 s): must exceed the time to stream the
    /// largest snapshot; the shell reports failures sooner through `reportSnapshotFailure(to:)`.
    public var snapshotTransferTimeoutTicks: Int = 6000

    /// Seed of the only randomness in the core (election timeouts). Mixed with `id`, so every
    /// replica may use the same seed. Fixed seeds make runs replayable.
    public var randomSeed: UInt64

    public init(id: NodeID, peers: [NodeID], randomSeed: UInt64) {
        self.id = id
        self.peers = peers
        self.randomSeed = randomSeed
    }

    /// Ticks during which a quorum's acknowledgement keeps the leader's lease valid.
    public var leaseDurationTicks: Int { electionTicks - leaseSafetyMarginTicks }

    /// Rejects configurations that could never work, naming the first thing that is wrong.
    public func validate() throws(ConfigError) {
        guard id.rawValue != 0 else { throw .zeroNodeID }
        guard !peers.isEmpty else { throw .emptyPeers }
        if let zero = peers.firstIndex(where: { $0.rawValue == 0 }) { throw .zeroPeerID(position: zero) }
        var seen = Set<NodeID>()
        for peer in peers where !seen.insert(peer).inserted { throw .duplicatePeer(peer) }
        guard seen.contains(id) else { throw .selfNotInPeers(id: id, peers: peers) }
        guard heartbeatTicks >= 1 else { throw .heartbeatTicksNotPositive(heartbeatTicks) }
        guard electionTicks > heartbeatTicks else {
            throw .electionTicksNotAboveHeartbeat(electionTicks: electionTicks, heartbeatTicks: heartbeatTicks)
        }
        if let silence = silenceTimeoutTicks, silence < electionTicks {
            throw .silenceTimeoutBelowElection(silenceTicks: silence, electionTicks: electionTicks)
        }
        guard leaseSafetyMarginTicks >= 0, leaseSafetyMarginTicks < electionTicks else {
            throw .leaseMarginOutOfRange(marginTicks: leaseSafetyMarginTicks, electionTicks: electionTicks)
        }
        guard maxInflightMessages >= 1 else { throw .inflightWindowNotPositive(maxInflightMessages) }
        guard maxEntriesBytesPerMessage >= 1 else { throw .messageBytesNotPositive(maxEntriesBytesPerMessage) }
        guard maxUncommittedBytes >= 1 else { throw .uncommittedBytesNotPositive(maxUncommittedBytes) }
        guard snapshotTransferTimeoutTicks >= 1 else {
            throw .snapshotTimeoutNotPositive(snapshotTransferTimeoutTicks)
        }
    }
}
