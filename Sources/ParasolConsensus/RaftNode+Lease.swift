/// The leader lease: local reads without a round trip, safe as long as ticks run at the same
/// rate everywhere (within `leaseSafetyMarginTicks` over an election timeout).
///
/// Why it holds: a follower that processed a message the leader sent at tick `t` refuses to vote
/// for anybody else for `electionTicks` of its own ticks (leader stickiness, `checkQuorum`), and
/// so does a follower that restarted since. Once a quorum echoed `sentAtTick >= t`, no other
/// leader can exist before tick `t + electionTicks`; the leader stops serving at
/// `t + electionTicks − leaseSafetyMarginTicks`. A leadership transfer bypasses stickiness, so a
/// transferring leader serves no lease reads, and one whose `timeoutNow` may still be in flight
/// steps down when the transfer times out.
extension RaftNode {
    /// Permission to serve one read locally right now, or `nil` when this node cannot prove it
    /// is the only leader. Requires `checkQuorum`, a committed entry of the current term (so the
    /// commit index covers every acknowledged write), no transfer in progress, and a live lease.
    public var localReadPermit: LocalReadPermit? {
        guard role == .leader, config.checkQuorum, leadershipTransferTarget == nil,
              log.term(at: log.committed) == term,
              let leaseEnd = leaseEndTick, ticksElapsed < leaseEnd
        else { return nil }
        return LocalReadPermit(readIndex: log.committed, leaseEndsAtTick: leaseEnd)
    }

    /// Whether `localReadPermit` would be granted now.
    public var canServeLocalReads: Bool { localReadPermit != nil }

    /// The tick at which the current lease ends: the quorum-th most recent acknowledged send tick
    /// (counting this leader at "now") plus the lease duration. `nil` before a quorum acknowledged.
    var leaseEndTick: UInt64? {
        guard role == .leader else { return nil }
        var ackedSendTicks = [UInt64]()
        ackedSendTicks.reserveCapacity(replicas.count)
        for slot in replicas.indices {
            if slot == selfSlot {
                ackedSendTicks.append(ticksElapsed)
            } else if let acked = progress[slot].lastAckedSendTick {
                ackedSendTicks.append(acked)
            }
        }
        guard ackedSendTicks.count >= quorum else { return nil }
        return Quorum.value(reachedBy: quorum, of: ackedSendTicks) + UInt64(config.leaseDurationTicks)
    }

    mutating func recordLeaseAck(echoedSentAtTick: UInt64?, slot: Int) {
        // An echo from the future cannot come from a correct peer; ignoring it is the safe side.
        guard let echoed = echoedSentAtTick, echoed <= ticksElapsed else { return }
        progress[slot].lastAckedSendTick = max(progress[slot].lastAckedSendTick ?? 0, echoed)
    }
}
