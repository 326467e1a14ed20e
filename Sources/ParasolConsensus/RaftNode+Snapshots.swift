/// Log compaction and snapshot catch-up (§7). The core only tracks snapshot *metadata*; the
/// application owns the bytes, persists them, and streams them when a `Ready` says so.
extension RaftNode {
    /// Forgets the log prefix through `snapshot.index`, which the application has applied,
    /// persisted and captured in a persisted snapshot. Followers that still need those entries
    /// will be sent the snapshot instead.
    public mutating func compact(through snapshot: SnapshotMeta) throws(CompactionError) {
        guard snapshot.index > log.snapshot.index else {
            throw .notBeyondCurrentSnapshot(requested: snapshot.index, current: log.snapshot.index)
        }
        guard snapshot.index <= log.applied else { throw .beyondApplied(requested: snapshot.index, applied: log.applied) }
        guard snapshot.index <= log.stableIndex else {
            throw .beyondPersisted(requested: snapshot.index, persisted: log.stableIndex)
        }
        let logTerm = log.term(at: snapshot.index)
        guard logTerm == snapshot.term else {
            throw .termMismatch(index: snapshot.index, snapshotTerm: snapshot.term, logTerm: logTerm)
        }
        log.compact(through: snapshot)
    }

    /// The leader's shell could not stream the snapshot to `follower` (connection lost, peer
    /// gone). The follower goes back to probing after the next heartbeat answer, which asks for
    /// a snapshot again if it is still needed.
    public mutating func reportSnapshotFailure(to follower: NodeID) {
        guard role == .leader, let slot = slot(of: follower), case .snapshot = progress[slot].state else { return }
        progress[slot].becomeProbe()
        progress[slot].probeSent = true
    }

    /// Follower: every byte of the snapshot `meta` that `leader` streamed in `term` has arrived
    /// and is held by the shell. The same as stepping `.snapshot(meta)` from `leader`; if the
    /// snapshot is news, the next `Ready.snapshot` asks the shell to persist and load it.
    public mutating func installSnapshot(_ meta: SnapshotMeta, from leader: NodeID, term: Term) {
        step(RaftMessage(from: leader, to: id, term: term, kind: .snapshot(meta)))
    }

    /// Follower: the shell received the bytes of `meta` from the leader.
    mutating func handleSnapshot(_ meta: SnapshotMeta, from leaderID: NodeID) {
        if meta.index <= log.committed {
            // Nothing new: we already hold a committed prefix at least that long.
        } else if log.matchTerm(meta.index, meta.term) {
            // Our log already contains the snapshot's last entry: log matching says the prefix
            // is the leader's, so it is committed and no install is needed.
            log.commit(through: meta.index)
        } else {
            log.restore(meta)
        }
        send(.snapshotResponse(index: log.committed), to: leaderID)
    }

    /// Leader: the follower installed a snapshot (or already had the prefix) through `index`.
    mutating func handleSnapshotResponse(index: LogIndex, from follower: NodeID) {
        guard let slot = slot(of: follower) else { return }
        progress[slot].recentActive = true
        _ = progress[slot].acknowledge(through: index)
        if case .snapshot = progress[slot].state {
            progress[slot].becomeProbe()
        }
        if advanceCommit() { broadcastPending = true }
        sendAppend(toSlot: slot, evenIfEmpty: true)
    }
}
