/// Leadership transfer (thesis §3.10): catch the target up, tell it to campaign at once with
/// `timeoutNow`, and give up after one CheckQuorum round (`effectiveSilenceTimeoutTicks`).
extension RaftNode {
    /// Hands leadership to `target`. Proposals are refused while the transfer runs; it ends when
    /// the target wins (this node sees the new term) or after `effectiveSilenceTimeoutTicks` ticks.
    /// Asking again for the same target is a no-op; another target replaces the current one.
    public mutating func transferLeadership(to target: NodeID) throws(TransferError) {
        guard role == .leader else { throw .notLeader(leaderHint: leader) }
        guard target != id else { throw .targetIsSelf(target) }
        guard let slot = slot(of: target) else { throw .unknownTarget(target) }
        if let current = leadershipTransferTarget {
            if current == target { return }
            abortLeadershipTransfer()
            guard role == .leader else { throw .notLeader(leaderHint: leader) }
        }
        leadershipTransferTarget = target
        // The transfer gets one election timeout from now.
        electionElapsedTicks = 0
        if progress[slot].match == log.lastIndex {
            sendTimeoutNow(to: target)
        } else {
            sendAppend(toSlot: slot, evenIfEmpty: true)
        }
    }

    mutating func sendTimeoutNow(to target: NodeID) {
        guard !timeoutNowSent else { return }
        timeoutNowSent = true
        send(.timeoutNow, to: target)
    }

    /// Ends a transfer that did not complete. If `timeoutNow` already left, the target may still
    /// receive it later and win without the voters' stickiness check, so this leader could no
    /// longer prove its lease: it steps down and lets a normal election pick the next leader.
    mutating func abortLeadershipTransfer() {
        precondition(leadershipTransferTarget != nil, "\(id): aborting a leadership transfer that is not running")
        leadershipTransferTarget = nil
        if timeoutNowSent {
            becomeFollower(term: term, leader: nil)
        }
    }
}
