/// One replica's Raft consensus instance: a pure, deterministic state machine.
///
/// It never touches the network, a disk or a clock. Inputs: `step(_:)` for messages from peers
/// (and the snapshot-arrived notification), `tick()` for time, and the local requests
/// `propose(_:)`, `campaign()`, `transferLeadership(to:)`, `compact(through:)`,
/// `reportSnapshotFailure(to:)`. Output: a `Ready` taken with `ready()` and confirmed with
/// `advance(_:)` (see `Ready` for the persist → send → apply ordering). The same inputs always
/// give the same outputs, so a simulator can replay any history from a seed.
///
/// Implements terms, randomised election timeouts, the election restriction, log matching with
/// term-skipping back-off, the current-term commit rule, PreVote, CheckQuorum, a leader lease
/// for local reads, leadership transfer, pipelined replication with a bounded window, batching
/// and snapshot catch-up. Membership is static (`Config.peers`).
public struct RaftNode: Sendable {
    public let config: Config
    /// All replicas, sorted; indexes into this array are "slots".
    let replicas: [NodeID]
    let selfSlot: Int
    let quorum: Int

    public internal(set) var term: Term = 0
    /// The candidate voted for in `term`.
    public internal(set) var vote: NodeID?
    public internal(set) var role: Role = .follower
    /// The leader of `term` as far as this node knows (itself when leading).
    public internal(set) var leader: NodeID?
    var log: RaftLog

    /// This node's clock: ticks since it started. The lease is measured on it.
    public internal(set) var ticksElapsed: UInt64 = 0
    /// Ticks since the election timer was reset (follower/candidate) or since the last
    /// CheckQuorum round / transfer start (leader).
    var electionElapsedTicks = 0
    var heartbeatElapsedTicks = 0
    var randomizedElectionTimeoutTicks = 0
    /// Ticks since a leader last showed itself (or since start: a restarted node may have acked
    /// a lease it no longer remembers). Followers refuse votes while it is below `electionTicks`.
    var ticksSinceLeaderContact = 0

    /// Votes received in the current (pre-)campaign, by slot.
    var votes: [Bool?]
    /// Per-follower replication state, by slot (the leader's own slot is unused).
    var progress: [Progress]
    /// The follower leadership is being handed to, if a transfer is under way.
    public internal(set) var leadershipTransferTarget: NodeID?
    /// The current transfer already sent `timeoutNow`: the target may win without the voters'
    /// stickiness check at any later moment, so this leader can no longer prove a lease.
    var timeoutNowSent = false
    /// Bytes of this term's proposals not yet committed (bounded by `maxUncommittedBytes`).
    var uncommittedBytes = 0
    /// Proposals or a commit advance are waiting to be broadcast; done once per `ready()` so that
    /// everything proposed between two `Ready`s travels in one append per follower.
    var broadcastPending = false

    var outbox: [RaftMessage] = []
    var pendingSnapshotTransfers: [SnapshotTransfer] = []
    var rng: SeededGenerator

    var reportedHardState: HardState
    var reportedSoftState: SoftState
    var readySequence: UInt64 = 0
    var readyAwaitingAdvance: UInt64?

    /// A replica that has never run.
    public init(config: Config) throws(RestoreError) {
        try self.init(config: config, restoring: .fresh)
    }

    /// Rebuilds a replica from what its application persisted (see `Ready` for what that is).
    ///
    /// A torn write may leave entries from a term newer than the persisted `hardState.term`;
    /// the node then adopts that term with no vote, which is safe because no vote of that term
    /// was sent before it was persisted.
    public init(config: Config, restoring state: PersistedState) throws(RestoreError) {
        do { try config.validate() } catch { throw .invalidConfig(error) }
        var expected = state.snapshot.index + 1
        var previousTerm = state.snapshot.term
        for entry in state.entries {
            guard entry.index == expected else {
                throw .entriesNotContiguous(expectedIndex: expected, foundIndex: entry.index)
            }
            guard entry.term >= previousTerm else {
                throw .entryTermsDecrease(index: entry.index, term: entry.term, previousTerm: previousTerm)
            }
            expected += 1
            previousTerm = entry.term
        }
        let lastIndex = expected - 1
        let commit = max(state.hardState.commit, state.snapshot.index)
        guard commit <= lastIndex else { throw .commitBeyondLastIndex(commit: commit, lastIndex: lastIndex) }
        if let vote = state.hardState.vote, !config.peers.contains(vote) { throw .voteForUnknownNode(vote) }

        self.config = config
        replicas = config.peers.sorted()
        selfSlot = replicas.firstIndex(of: config.id)!
        quorum = Quorum.size(voterCount: replicas.count)
        votes = Array(repeating: nil, count: replicas.count)
        progress = []
        log = RaftLog(snapshot: state.snapshot, entries: state.entries, committed: commit)
        rng = SeededGenerator(seed: config.randomSeed ^ (config.id.rawValue &* 0x9E37_79B9_7F4A_7C15))
        if previousTerm > state.hardState.term {
            term = previousTerm
            vote = nil
        } else {
            term = state.hardState.term
            vote = state.hardState.vote
        }
        reportedHardState = state.hardState
        reportedSoftState = SoftState(role: .follower, leader: nil)
        becomeFollower(term: term, leader: nil)
    }

    // MARK: Public view

    public var id: NodeID { config.id }
    public var isLeader: Bool { role == .leader }
    public var commitIndex: LogIndex { log.committed }
    /// Index of the last entry handed to the application to apply (confirmed by `advance`).
    public var appliedIndex: LogIndex { log.applied }
    public var lastIndex: LogIndex { log.lastIndex }
    public var lastTerm: Term { log.lastTerm }
    /// The latest snapshot the log starts after.
    public var snapshot: SnapshotMeta { log.snapshot }
    public var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }
    public var softState: SoftState { SoftState(role: role, leader: leader) }
    /// Term of the entry at `index`, if the log holds it (or it is the snapshot's last index).
    public func term(at index: LogIndex) -> Term? { log.term(at: index) }

    // MARK: Helpers shared by the role files

    func slot(of node: NodeID) -> Int? { replicas.firstIndex(of: node) }

    mutating func send(_ kind: RaftMessage.Kind, to: NodeID, term messageTerm: Term? = nil) {
        outbox.append(RaftMessage(from: id, to: to, term: messageTerm ?? term, kind: kind))
    }
}
