/// Time. The shell calls `tick()` every tick period; nothing else in the core knows about time.
extension RaftNode {
    /// Advances this node's clock by one tick: followers and candidates may campaign, a leader
    /// heartbeats, runs CheckQuorum and times out transfers and snapshot streams.
    public mutating func tick() {
        tickOnce(stalled: false)
    }

    /// Advances the clock by `count` ticks that passed while the shell could not step messages
    /// (its thread stalled, or the process was descheduled), to catch up in one go.
    ///
    /// Each counts as a full tick, so a leader's lease stays measured in wall time. But a
    /// CheckQuorum round that ends inside the stall and finds no quorum does not depose the
    /// leader: the answers that prove the quorum are likely queued, unstepped, behind the stall
    /// (replaying ticks one by one crossed two rounds and stepped a healthy leader down whenever
    /// its loop was busy for 300 ms). The round starts over instead, so a leader that really is
    /// cut off steps down at most one round (`effectiveSilenceTimeoutTicks`) later than without
    /// the stall.
    public mutating func tick(stalled count: Int) {
        for _ in 0..<max(0, count) { tickOnce(stalled: true) }
    }

    private mutating func tickOnce(stalled: Bool) {
        ticksElapsed += 1
        if ticksSinceLeaderContact < Int.max { ticksSinceLeaderContact += 1 }
        switch role {
        case .follower, .preCandidate, .candidate: tickElection()
        case .leader: tickLeader(stalled: stalled)
        }
    }

    private mutating func tickLeader(stalled: Bool) {
        heartbeatElapsedTicks += 1
        electionElapsedTicks += 1
        if electionElapsedTicks >= config.effectiveSilenceTimeoutTicks {
            electionElapsedTicks = 0
            if config.checkQuorum && !hasActiveQuorum() {
                // CheckQuorum: cut off from the majority, stop pretending to lead. Unless the
                // round ended inside a stall: then it starts over, and the followers get a whole
                // round to answer.
                guard stalled else {
                    becomeFollower(term: term, leader: nil)
                    return
                }
            } else {
                if config.checkQuorum {
                    for slot in replicas.indices where slot != selfSlot { progress[slot].recentActive = false }
                }
                if leadershipTransferTarget != nil {
                    abortLeadershipTransfer()
                    guard role == .leader else { return }
                }
            }
        }
        tickSnapshotTransfers()
        if heartbeatElapsedTicks >= config.heartbeatTicks {
            heartbeatElapsedTicks = 0
            broadcastHeartbeat()
        }
    }

    private func hasActiveQuorum() -> Bool {
        var active = 1
        for slot in replicas.indices where slot != selfSlot && progress[slot].recentActive { active += 1 }
        return active >= quorum
    }

    /// A snapshot stream that never reported back is presumed lost after
    /// `snapshotTransferTimeoutTicks`; the follower goes back to probing (which asks again).
    private mutating func tickSnapshotTransfers() {
        for slot in replicas.indices where slot != selfSlot {
            guard case .snapshot(let pendingIndex, let elapsed) = progress[slot].state else { continue }
            if elapsed + 1 >= config.snapshotTransferTimeoutTicks {
                progress[slot].becomeProbe()
            } else {
                progress[slot].state = .snapshot(pendingIndex: pendingIndex, elapsedTicks: elapsed + 1)
            }
        }
    }
}
