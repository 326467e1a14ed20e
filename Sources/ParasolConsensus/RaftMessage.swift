/// A message between two replicas of one consensus group.
///
/// Plain values of integers and byte arrays so a wire codec can encode them without knowing
/// anything about Raft. `term` is the sender's term, except where a kind's doc says otherwise
/// (pre-votes travel with the term the sender *would* campaign in).
public struct RaftMessage: Sendable, Equatable {
    public var from: NodeID
    public var to: NodeID
    public var term: Term
    public var kind: Kind

    public init(from: NodeID, to: NodeID, term: Term, kind: Kind) {
        self.from = from
        self.to = to
        self.term = term
        self.kind = kind
    }

    /// A leader's append (entries, or an empty one carrying the commit index).
    var isAppend: Bool {
        if case .append = kind { return true }
        return false
    }

    public enum Kind: Sendable, Equatable {
        /// "Would you vote for me in `term`?" (thesis §9.6). Nobody changes state because of it,
        /// so a node that was partitioned away cannot disrupt a healthy leader when it returns.
        case preVote(lastLogIndex: LogIndex, lastLogTerm: Term)
        /// Answer to `preVote`; when granted, `term` echoes the asked-about term.
        case preVoteResponse(granted: Bool)
        /// A real vote request (§5.2). `isLeadershipTransfer` is set when the candidate
        /// campaigns because the leader sent it `timeoutNow`; voters then skip the
        /// leader-stickiness check, since the current leader asked for this election.
        case vote(lastLogIndex: LogIndex, lastLogTerm: Term, isLeadershipTransfer: Bool)
        case voteResponse(granted: Bool)
        /// Log replication and commit propagation (§5.3).
        case append(AppendRequest)
        case appendResponse(AppendResponse)
        /// Keeps followers from campaigning and carries the commit index they can safely use.
        case heartbeat(Heartbeat)
        /// `echoedSentAtTick` is the heartbeat's `sentAtTick`: it extends the leader's lease.
        case heartbeatResponse(echoedSentAtTick: UInt64)
        /// "Campaign now" from a leader handing over leadership (thesis §3.10).
        case timeoutNow
        /// A snapshot's bytes have fully arrived from the leader `from` (the shell streams them;
        /// this message only names what arrived). Built by the receiving shell, not sent by a node.
        case snapshot(SnapshotMeta)
        /// The follower installed (or already had) a prefix up to `index`.
        case snapshotResponse(index: LogIndex)
    }
}

/// The body of an append (§5.3): entries after `prevIndex`, accepted only if the follower's
/// entry at `prevIndex` has term `prevTerm`.
public struct AppendRequest: Sendable, Equatable {
    public var prevIndex: LogIndex
    public var prevTerm: Term
    public var entries: [LogEntry]
    /// The leader's commit index; the follower commits up to min(commit, last new index).
    public var commit: LogIndex
    /// The leader's tick count when it sent this; echoed back to measure its lease.
    public var sentAtTick: UInt64

    public init(prevIndex: LogIndex, prevTerm: Term, entries: [LogEntry], commit: LogIndex, sentAtTick: UInt64) {
        self.prevIndex = prevIndex
        self.prevTerm = prevTerm
        self.entries = entries
        self.commit = commit
        self.sentAtTick = sentAtTick
    }
}

/// A follower's answer to an append.
public struct AppendResponse: Sendable, Equatable {
    /// When accepted: the follower's log matches the leader's through `index`.
    /// When rejected: the `prevIndex` that did not match.
    public var index: LogIndex
    /// Present when the append was rejected; lets the leader skip a whole term per round trip.
    public var rejection: Rejection?
    /// The request's `sentAtTick`, or `nil` when this answers a message from an older term
    /// (such an answer proves nothing about the current leader's lease).
    public var echoedSentAtTick: UInt64?

    public init(index: LogIndex, rejection: Rejection? = nil, echoedSentAtTick: UInt64?) {
        self.index = index
        self.rejection = rejection
        self.echoedSentAtTick = echoedSentAtTick
    }

    /// Why an append did not match, in the form of the thesis' fast back-off (§5.3):
    /// the conflicting term and the first index the follower holds of it.
    public struct Rejection: Sendable, Equatable {
        /// Term of the follower's entry at the rejected `prevIndex`; `nil` when the follower's
        /// log ends before `prevIndex`.
        public var conflictTerm: Term?
        /// First index of `conflictTerm` in the follower's log, or the follower's last index + 1
        /// when `conflictTerm` is `nil`.
        public var firstIndexOfConflictTerm: LogIndex

        public init(conflictTerm: Term?, firstIndexOfConflictTerm: LogIndex) {
            self.conflictTerm = conflictTerm
            self.firstIndexOfConflictTerm = firstIndexOfConflictTerm
        }
    }
}

/// A leader's periodic "I am alive".
public struct Heartbeat: Sendable, Equatable {
    /// min(leader commit, follower's match index): never beyond what the follower is known to hold.
    public var commit: LogIndex
    /// The leader's tick count when it sent this; echoed back to measure its lease.
    public var sentAtTick: UInt64

    public init(commit: LogIndex, sentAtTick: UInt64) {
        self.commit = commit
        self.sentAtTick = sentAtTick
    }
}
