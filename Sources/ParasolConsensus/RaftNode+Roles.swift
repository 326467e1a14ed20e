/// Role transitions (§5.1, thesis §9.6). Each one resets exactly the volatile state the new
/// role starts from; an illegal transition is a precondition failure naming the node and term.
extension RaftNode {
    mutating func becomeFollower(term newTerm: Term, leader newLeader: NodeID?) {
        reset(term: newTerm)
        role = .follower
        leader = newLeader
    }

    mutating func becomePreCandidate() {
        precondition(role != .leader, "\(id) in term \(term): a leader cannot become a pre-candidate")
        // A pre-candidate keeps its term and vote: nothing it does is binding until it wins.
        role = .preCandidate
        leader = nil
        votes = Array(repeating: nil, count: replicas.count)
    }

    mutating func becomeCandidate() {
        precondition(role != .leader, "\(id) in term \(term): a leader cannot become a candidate")
        reset(term: term + 1)
        role = .candidate
        vote = id
    }

    mutating func becomeLeader() {
        precondition(role == .candidate, "\(id) in term \(term): only a candidate becomes leader, not a \(role)")
        reset(term: term)
        role = .leader
        leader = id
        let next = log.lastIndex + 1
        progress = replicas.map { _ in Progress(next: next, inflightCapacity: config.maxInflightMessages) }
        // The no-op of §8: committing an entry of this term commits every earlier entry and lets
        // this leader serve lease reads.
        log.append(LogEntry(term: term, index: next, kind: .leaderNoop))
        broadcastPending = true
        _ = advanceCommit() // A single-replica group commits on its own.
    }

    /// The volatile state every role starts from.
    mutating func reset(term newTerm: Term) {
        precondition(newTerm >= term, "\(id): term would go backwards from \(term) to \(newTerm)")
        if newTerm != term {
            term = newTerm
            vote = nil
        }
        leader = nil
        electionElapsedTicks = 0
        heartbeatElapsedTicks = 0
        randomizedElectionTimeoutTicks = config.effectiveSilenceTimeoutTicks + Int.random(in: 0..<config.electionTicks, using: &rng)
        votes = Array(repeating: nil, count: replicas.count)
        progress = []
        leadershipTransferTarget = nil
        timeoutNowSent = false
        uncommittedBytes = 0
        broadcastPending = false
        pendingSnapshotTransfers = []
    }
}
