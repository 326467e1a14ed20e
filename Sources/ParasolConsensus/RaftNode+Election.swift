/// Leader election (§5.2) with the pre-vote round of thesis §9.6.
extension RaftNode {
    enum CampaignKind {
        /// Ask "would you vote for me?" first; only a yes from a quorum bumps the term.
        case preVote
        /// Bump the term and ask for votes right away.
        case election
        /// Like `election`, on the current leader's request (`timeoutNow`): voters skip leader stickiness.
        case leadershipTransfer
    }

    /// Starts an election now instead of waiting for the election timeout (e.g. after the shell
    /// learned the leader's process is gone). Uses a pre-vote round when `config.preVote` is set.
    /// Does nothing on a leader, nor while this node heard from a leader within an election
    /// timeout: it promised that leader's lease not to help elect anybody, itself included
    /// (move leadership with `transferLeadership(to:)` on the leader instead).
    public mutating func campaign() {
        guard role != .leader, !isWithinLeaderLease else { return }
        campaign(config.preVote ? .preVote : .election)
    }

    mutating func campaign(_ kind: CampaignKind) {
        let requestTerm: Term
        switch kind {
        case .preVote:
            becomePreCandidate()
            requestTerm = term + 1
        case .election, .leadershipTransfer:
            becomeCandidate()
            requestTerm = term
        }
        if countVote(from: id, granted: true) { return }
        let lastIndex = log.lastIndex
        let lastTerm = log.lastTerm
        for slot in replicas.indices where slot != selfSlot {
            let kindToSend: RaftMessage.Kind = switch kind {
            case .preVote: .preVote(lastLogIndex: lastIndex, lastLogTerm: lastTerm)
            case .election: .vote(lastLogIndex: lastIndex, lastLogTerm: lastTerm, isLeadershipTransfer: false)
            case .leadershipTransfer: .vote(lastLogIndex: lastIndex, lastLogTerm: lastTerm, isLeadershipTransfer: true)
            }
            send(kindToSend, to: replicas[slot], term: requestTerm)
        }
    }

    /// Records a (pre-)vote and acts on the outcome once it is decided. Returns whether the
    /// election was decided by this vote.
    @discardableResult
    mutating func countVote(from node: NodeID, granted: Bool) -> Bool {
        guard let slot = slot(of: node), votes[slot] == nil else { return false }
        votes[slot] = granted
        let granting = votes.reduce(0) { $0 + ($1 == true ? 1 : 0) }
        let refusing = votes.reduce(0) { $0 + ($1 == false ? 1 : 0) }
        if granting >= quorum {
            if role == .preCandidate {
                campaign(.election)
            } else {
                becomeLeader()
            }
            return true
        }
        if refusing > replicas.count - quorum {
            becomeFollower(term: term, leader: nil)
            return true
        }
        return false
    }

    /// Follower and candidate clock: campaign when the randomised election timeout expires.
    mutating func tickElection() {
        electionElapsedTicks += 1
        if electionElapsedTicks >= randomizedElectionTimeoutTicks {
            electionElapsedTicks = 0
            campaign(config.preVote ? .preVote : .election)
        }
    }
}
