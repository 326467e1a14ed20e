/// Time. The shell calls `tick()` every tick period; nothing else in the core knows about time.
extension RaftNode {
    /// Advances this node's clock by one tick: followers and candidates may campaign, a leader
    /// heartbeats, runs CheckQuorum and times out transfers and snapshot streams.
    public mutating func tick() {
        ticksElapsed += 1
        if ticksSinceLeaderContact < Int.max { ticksSinceLeaderContact += 1 }
        switch role {
        case .follower, .preCandidate, .candidate: tickElection()
        case .leader: tickLeader()
        }
    }

    private mutating func tickLeader() {
        heartbeatElapsedTicks += 1
        electionElapsedTicks += 1
        if electionElapsedTicks >= config.electionTicks {
            electionElapsedTicks = 0
            if config.checkQuorum {
                guard hasActiveQuorum() else {
                    // CheckQuorum: cut off from the majority, stop pretending to lead.
                    becomeFollower(term: term, leader: nil)
                    return
                }
                for slot in replicas.indices where slot != selfSlot { progress[slot].recentActive = false }
            }
            if leadershipTransferTarget != nil {
                abortLeadershipTransfer()
                guard role == .leader else { return }
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
