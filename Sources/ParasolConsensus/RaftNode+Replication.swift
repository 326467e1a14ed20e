/// Log replication (§5.3), the commit rule (§5.4.2) and heartbeats.
extension RaftNode {
    // MARK: Leader side

    /// Sends the follower in `slot` what it is missing, as far as its progress state allows.
    /// `evenIfEmpty` sends an empty append to carry the commit index or to probe.
    /// Returns whether a message (or a snapshot directive) went out.
    @discardableResult
    mutating func sendAppend(toSlot slot: Int, evenIfEmpty: Bool) -> Bool {
        let follower = replicas[slot]
        guard !progress[slot].isPaused else { return false }
        let next = progress[slot].next
        // A probe carries no entries: it only finds where the follower's log matches, and every
        // heartbeat answer sends it again. With entries, each resend repeated the next entry,
        // 64 MiB at a time for a large push, while the first copy was still on its way.
        let probing = progress[slot].state == .probe
        guard let prevTerm = log.term(at: next - 1),
              let entries = probing ? [] : log.entries(from: next, maxBytes: config.maxEntriesBytesPerMessage)
        else {
            // What the follower needs is compacted away: it must install the snapshot first.
            progress[slot].becomeSnapshot(pendingIndex: log.snapshot.index)
            pendingSnapshotTransfers.append(SnapshotTransfer(to: follower, snapshot: log.snapshot, term: term))
            return true
        }
        if entries.isEmpty && !evenIfEmpty { return false }
        let request = AppendRequest(
            prevIndex: next - 1, prevTerm: prevTerm, entries: entries,
            commit: log.committed, sentAtTick: ticksElapsed
        )
        send(.append(request), to: follower)
        progress[slot].sent(lastEntryIndex: entries.last?.index)
        return true
    }

    /// Pipelining: keep sending to a replicating follower until it has everything or its
    /// in-flight window is full.
    mutating func sendAppendsUntilPaused(toSlot slot: Int) {
        if progress[slot].state == .replicate {
            while progress[slot].next <= log.lastIndex, sendAppend(toSlot: slot, evenIfEmpty: false) {}
        } else {
            sendAppend(toSlot: slot, evenIfEmpty: false)
        }
    }

    /// Sends queued entries and the commit index to every follower: one call per `ready()`, which
    /// is what batches all proposals made since the previous `Ready` into one append each.
    mutating func flushBroadcast() {
        guard broadcastPending else { return }
        broadcastPending = false
        guard role == .leader else { return }
        for slot in replicas.indices where slot != selfSlot {
            if !sendAppend(toSlot: slot, evenIfEmpty: true) { continue }
            if progress[slot].state == .replicate { sendAppendsUntilPaused(toSlot: slot) }
        }
    }

    mutating func broadcastHeartbeat() {
        for slot in replicas.indices where slot != selfSlot {
            let commit = min(progress[slot].match, log.committed)
            send(.heartbeat(Heartbeat(commit: commit, sentAtTick: ticksElapsed)), to: replicas[slot])
        }
    }

    mutating func handleAppendResponse(_ response: AppendResponse, from follower: NodeID) {
        guard let slot = slot(of: follower) else { return }
        progress[slot].recentActive = true
        recordLeaseAck(echoedSentAtTick: response.echoedSentAtTick, slot: slot)

        if let rejection = response.rejection {
            if rejection.conflictTerm == nil, rejection.firstIndexOfConflictTerm <= progress[slot].match {
                // The follower's log ends before entries it acknowledged: its storage was wiped
                // or replaced (or this is a stale answer from before it caught up). Feed it again
                // from what it says it holds: a snapshot if that is compacted away here. Commit
                // never moves back, so recounting its match lower is safe.
                progress[slot].restart(afterFollowerLastIndex: rejection.firstIndexOfConflictTerm - 1)
                sendAppend(toSlot: slot, evenIfEmpty: true)
                return
            }
            let hintedNext = nextIndexAfter(rejection, rejectedIndex: response.index)
            if progress[slot].backOff(rejectedIndex: response.index, hintedNext: hintedNext) {
                sendAppend(toSlot: slot, evenIfEmpty: true)
            }
            return
        }

        let matchMoved = progress[slot].acknowledge(through: response.index)
        // A probe answered exactly at the known match (nothing new was sent) still proves where
        // the follower's log ends: start replicating instead of probing once per heartbeat.
        let probeConfirmed = progress[slot].state == .probe && progress[slot].match == response.index
        guard matchMoved || probeConfirmed else { return }
        switch progress[slot].state {
        case .probe:
            progress[slot].becomeReplicate()
        case .snapshot(let pendingIndex, _):
            if progress[slot].match >= pendingIndex { progress[slot].becomeReplicate() }
        case .replicate:
            progress[slot].inflights.free(through: response.index)
        }
        if advanceCommit() { broadcastPending = true }
        sendAppendsUntilPaused(toSlot: slot)
        if follower == leadershipTransferTarget && progress[slot].match == log.lastIndex {
            sendTimeoutNow(to: follower)
        }
    }

    /// Where to resume after a rejection (thesis §5.3's optimisation): if our log holds the
    /// follower's conflicting term, resume right after our last entry of that term; otherwise
    /// skip the follower's whole run of that term.
    func nextIndexAfter(_ rejection: AppendResponse.Rejection, rejectedIndex: LogIndex) -> LogIndex {
        if let conflictTerm = rejection.conflictTerm,
           let last = log.lastIndex(ofTerm: conflictTerm, atOrBelow: rejectedIndex)
        {
            return last + 1
        }
        return rejection.firstIndexOfConflictTerm
    }

    mutating func handleHeartbeatResponse(echoedSentAtTick: UInt64, from follower: NodeID) {
        guard let slot = slot(of: follower) else { return }
        progress[slot].recentActive = true
        recordLeaseAck(echoedSentAtTick: echoedSentAtTick, slot: slot)
        progress[slot].probeSent = false
        if progress[slot].state == .replicate && progress[slot].inflights.isFull {
            progress[slot].inflights.freeOldest()
        }
        if progress[slot].match < log.lastIndex || progress[slot].state == .probe {
            sendAppend(toSlot: slot, evenIfEmpty: true)
        }
    }

    /// §5.3/§5.4.2: the commit index moves to the highest index a quorum holds, but only when
    /// that entry is from the current term (Figure 8); earlier entries commit with it.
    /// Returns whether it moved.
    mutating func advanceCommit() -> Bool {
        var matches = [LogIndex]()
        matches.reserveCapacity(replicas.count)
        for slot in replicas.indices {
            // Itself only for persisted entries: its appends may leave before its own write.
            matches.append(slot == selfSlot ? log.stableIndex : progress[slot].match)
        }
        let quorumIndex = Quorum.value(reachedBy: quorum, of: matches)
        guard quorumIndex > log.committed, log.term(at: quorumIndex) == term else { return false }
        for index in (log.committed + 1)...quorumIndex {
            if let entry = log.entry(at: index), entry.term == term {
                uncommittedBytes = max(0, uncommittedBytes - entry.chargedBytes)
            }
        }
        log.commit(through: quorumIndex)
        return true
    }

    // MARK: Follower side

    mutating func handleAppend(_ request: AppendRequest, from leaderID: NodeID) {
        if request.prevIndex < log.committed {
            // Everything up to our commit index already matches the leader.
            send(.appendResponse(AppendResponse(index: log.committed, echoedSentAtTick: request.sentAtTick)), to: leaderID)
            return
        }
        if let lastNew = log.appendFromLeader(request) {
            send(.appendResponse(AppendResponse(index: lastNew, echoedSentAtTick: request.sentAtTick)), to: leaderID)
            return
        }
        let rejection: AppendResponse.Rejection
        if request.prevIndex > log.lastIndex {
            rejection = .init(conflictTerm: nil, firstIndexOfConflictTerm: log.lastIndex + 1)
        } else {
            let conflictTerm = log.term(at: request.prevIndex)
            precondition(conflictTerm != nil, "prevIndex \(request.prevIndex) >= commit but its term is compacted")
            rejection = .init(
                conflictTerm: conflictTerm,
                firstIndexOfConflictTerm: log.firstIndex(ofTermAt: request.prevIndex, floor: log.committed + 1)
            )
        }
        send(.appendResponse(AppendResponse(index: request.prevIndex, rejection: rejection,
                                            echoedSentAtTick: request.sentAtTick)), to: leaderID)
    }

    mutating func handleHeartbeat(_ heartbeat: Heartbeat, from leaderID: NodeID) {
        // The leader never sends more than our match index, which we persisted before acking;
        // only a follower whose storage was wiped holds less, and it must not crash on that.
        log.commit(through: min(heartbeat.commit, log.lastIndex))
        send(.heartbeatResponse(echoedSentAtTick: heartbeat.sentAtTick), to: leaderID)
    }
}
