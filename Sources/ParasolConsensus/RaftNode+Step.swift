/// The single entry point for messages: term bookkeeping first (§5.1), then the handler of the
/// current role (etcd-io/raft's `stepLeader` / `stepCandidate` / `stepFollower`).
extension RaftNode {
    /// Feeds one message from a peer (or the shell's `.snapshot` notification) into the node.
    /// Messages addressed to another node or coming from outside the group are ignored:
    /// membership is static, and a misrouted frame must not crash a server.
    public mutating func step(_ message: RaftMessage) {
        guard message.to == id, message.from != id, slot(of: message.from) != nil else { return }

        if message.term > term {
            guard observeHigherTerm(message) else { return }
        } else if message.term < term {
            answerStaleTerm(message)
            return
        }

        switch message.kind {
        case .preVote(let lastIndex, let lastTerm):
            answerVoteRequest(message, isPreVote: true, lastIndex: lastIndex, lastTerm: lastTerm)
            return
        case .vote(let lastIndex, let lastTerm, _):
            answerVoteRequest(message, isPreVote: false, lastIndex: lastIndex, lastTerm: lastTerm)
            return
        default:
            break
        }

        switch role {
        case .follower: stepFollower(message)
        case .preCandidate, .candidate: stepCandidate(message)
        case .leader: stepLeader(message)
        }
    }

    /// A message from a newer term. Returns whether to go on handling it.
    private mutating func observeHigherTerm(_ message: RaftMessage) -> Bool {
        switch message.kind {
        case .preVote, .vote:
            let isTransfer: Bool
            if case .vote(_, _, let transfer) = message.kind { isTransfer = transfer } else { isTransfer = false }
            // Leader stickiness: while we heard from a leader within an election timeout we
            // neither vote nor adopt the candidate's term. The lease depends on it.
            if isWithinLeaderLease && !isTransfer { return false }
        default:
            break
        }
        switch message.kind {
        case .preVote:
            break // Asking about a future term binds nobody.
        case .preVoteResponse(granted: true):
            break // The term we asked about, not one anybody is in.
        case .append, .heartbeat, .snapshot:
            becomeFollower(term: message.term, leader: message.from)
        default:
            becomeFollower(term: message.term, leader: nil)
        }
        return true
    }

    /// Whether this node vouches for a leader right now and so refuses to help elect another.
    var isWithinLeaderLease: Bool {
        guard config.checkQuorum else { return false }
        return role == .leader || ticksSinceLeaderContact < config.electionTicks
    }

    /// A message from an older term: mostly ignored, but a stale leader or pre-candidate learns
    /// our term so that it stops disturbing the group.
    private mutating func answerStaleTerm(_ message: RaftMessage) {
        switch message.kind {
        case .append, .heartbeat:
            if config.checkQuorum || config.preVote {
                send(.appendResponse(AppendResponse(index: 0, echoedSentAtTick: nil)), to: message.from)
            }
        case .preVote:
            send(.preVoteResponse(granted: false), to: message.from)
        default:
            break
        }
    }

    /// Vote or pre-vote (§5.2, §5.4.1, thesis §9.6). Votes are granted to one candidate per term
    /// and only to a log at least as up to date as ours.
    private mutating func answerVoteRequest(_ message: RaftMessage, isPreVote: Bool, lastIndex: LogIndex, lastTerm: Term) {
        let canVote = vote == message.from
            || (vote == nil && leader == nil)
            || (isPreVote && message.term > term)
        if canVote && log.isUpToDate(lastIndex: lastIndex, lastTerm: lastTerm) {
            if isPreVote {
                send(.preVoteResponse(granted: true), to: message.from, term: message.term)
            } else {
                electionElapsedTicks = 0
                vote = message.from
                send(.voteResponse(granted: true), to: message.from)
            }
        } else {
            send(isPreVote ? .preVoteResponse(granted: false) : .voteResponse(granted: false), to: message.from)
        }
    }

    private mutating func stepFollower(_ message: RaftMessage) {
        switch message.kind {
        case .append(let request):
            heardFromLeader(message.from)
            handleAppend(request, from: message.from)
        case .heartbeat(let heartbeat):
            heardFromLeader(message.from)
            handleHeartbeat(heartbeat, from: message.from)
        case .snapshot(let meta):
            heardFromLeader(message.from)
            handleSnapshot(meta, from: message.from)
        case .timeoutNow:
            campaign(.leadershipTransfer)
        default:
            break // Answers to requests of an earlier role.
        }
    }

    private mutating func stepCandidate(_ message: RaftMessage) {
        switch message.kind {
        case .append, .heartbeat, .snapshot:
            // Someone won this term (§5.2).
            becomeFollower(term: message.term, leader: message.from)
            stepFollower(message)
        case .preVoteResponse(let granted) where role == .preCandidate:
            countVote(from: message.from, granted: granted)
        case .voteResponse(let granted) where role == .candidate:
            countVote(from: message.from, granted: granted)
        default:
            break
        }
    }

    private mutating func stepLeader(_ message: RaftMessage) {
        switch message.kind {
        case .appendResponse(let response):
            handleAppendResponse(response, from: message.from)
        case .heartbeatResponse(let echoed):
            handleHeartbeatResponse(echoedSentAtTick: echoed, from: message.from)
        case .snapshotResponse(let index):
            handleSnapshotResponse(index: index, from: message.from)
        case .append, .heartbeat, .snapshot:
            preconditionFailure("\(id) leads term \(term) but \(message.from) also acts as leader of it")
        default:
            break
        }
    }

    mutating func heardFromLeader(_ node: NodeID) {
        leader = node
        electionElapsedTicks = 0
        ticksSinceLeaderContact = 0
    }
}
