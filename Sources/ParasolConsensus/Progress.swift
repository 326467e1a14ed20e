/// What a leader knows about one follower's log and how it is currently feeding it
/// (the `Progress` of etcd-io/raft).
///
/// - `probe`: the leader does not know where the follower's log ends; it sends one append per
///   heartbeat interval and backs off on rejection.
/// - `replicate`: the follower matched; the leader streams appends optimistically, at most
///   `maxInflightMessages` ahead of the acknowledgements.
/// - `snapshot`: the entries the follower needs are compacted; the shell streams a snapshot and
///   appends pause until it is installed (or fails, or times out).
struct Progress: Sendable {
    enum State: Sendable, Equatable {
        case probe
        case replicate
        case snapshot(pendingIndex: LogIndex, elapsedTicks: Int)
    }

    /// Highest index known to be replicated on the follower.
    var match: LogIndex = 0
    /// Next index to send.
    var next: LogIndex
    var state: State = .probe
    /// In `probe`: an append was sent and is not yet answered.
    var probeSent = false
    var inflights: InflightWindow
    /// Heard from the follower since the last CheckQuorum round.
    var recentActive = true
    /// Largest `sentAtTick` the follower echoed back in this term: it had not voted for anyone
    /// else for an election timeout after that tick (the lease evidence).
    var lastAckedSendTick: UInt64?

    init(next: LogIndex, inflightCapacity: Int) {
        self.next = next
        inflights = InflightWindow(capacity: inflightCapacity)
    }

    /// Whether the leader must hold back appends to this follower at the moment.
    var isPaused: Bool {
        switch state {
        case .probe: probeSent
        case .replicate: inflights.isFull
        case .snapshot: true
        }
    }

    /// Back to probing right after the known match (after a rejection, a finished or failed
    /// snapshot stream: the follower answers every snapshot with its new match explicitly).
    mutating func becomeProbe() {
        next = match + 1
        state = .probe
        probeSent = false
        inflights.reset()
    }

    mutating func becomeReplicate() {
        next = match + 1
        state = .replicate
        probeSent = false
        inflights.reset()
    }

    mutating func becomeSnapshot(pendingIndex: LogIndex) {
        state = .snapshot(pendingIndex: pendingIndex, elapsedTicks: 0)
        probeSent = false
        inflights.reset()
    }

    /// The follower acknowledged a match through `index`. Returns whether `match` moved.
    mutating func acknowledge(through index: LogIndex) -> Bool {
        next = max(next, index + 1)
        guard index > match else { return false }
        match = index
        probeSent = false
        return true
    }

    /// The follower rejected an append whose `prevIndex` was `rejectedIndex`; `hintedNext` is
    /// where the conflict hint says to resume. Returns `false` for a stale rejection (an answer
    /// to a message sent before the leader already backed off).
    /// The follower holds only entries through `lastIndex`, below `match`: start probing there.
    mutating func restart(afterFollowerLastIndex lastIndex: LogIndex) {
        match = lastIndex
        next = lastIndex + 1
        state = .probe
        inflights.reset()
        probeSent = false
    }

    mutating func backOff(rejectedIndex: LogIndex, hintedNext: LogIndex) -> Bool {
        // Entries through `match` are acknowledged: a rejection at or below it is an old answer.
        guard rejectedIndex > match else { return false }
        switch state {
        case .replicate:
            break
        case .probe:
            guard rejectedIndex == next - 1 else { return false }
        case .snapshot:
            return false
        }
        let newNext = min(max(hintedNext, match + 1), rejectedIndex)
        precondition(newNext > match, "backing off to \(newNext) at or below match \(match)")
        state = .probe
        inflights.reset()
        probeSent = false
        next = newNext
        return true
    }

    /// Bookkeeping after an append carrying entries through `lastIndex` went out.
    mutating func sent(lastEntryIndex: LogIndex?) {
        switch state {
        case .replicate:
            if let last = lastEntryIndex {
                next = last + 1
                inflights.add(lastIndex: last)
            }
        case .probe:
            probeSent = true
        case .snapshot:
            preconditionFailure("sent an append to a follower waiting for a snapshot")
        }
    }
}
