/// The output side: `ready()` hands out what the node needs done, `advance(_:)` confirms it.
extension RaftNode {
    /// Whether `ready()` may be called now and has something in it. `false` while a `Ready`
    /// awaits its `advance`.
    public var hasReady: Bool {
        guard readyAwaitingAdvance == nil else { return false }
        return broadcastPending || !outbox.isEmpty || !pendingSnapshotTransfers.isEmpty
            || hardState != reportedHardState || softState != reportedSoftState
            || log.pendingSnapshot != nil || log.hasUnstableEntries || log.hasEntriesToApply
    }

    /// Whether a `Ready` was handed out and not yet confirmed with `advance`.
    public var isAwaitingAdvance: Bool { readyAwaitingAdvance != nil }

    /// Collects what must be persisted, sent and applied (see `Ready` for the order).
    /// Queued proposals become append messages here. Calling it again before `advance` is a
    /// precondition failure: the first `Ready`'s entries may not be durable yet.
    public mutating func ready() -> Ready {
        precondition(readyAwaitingAdvance == nil,
                     "\(id): ready() called again before advance() of Ready #\(readyAwaitingAdvance ?? 0)")
        flushBroadcast()
        readySequence += 1
        let currentHardState = hardState
        let currentSoftState = softState
        // A leader's appends may leave before its own write once its term and vote are durable
        // (the previous Ready, already advanced, carried them); votes and acknowledgements never.
        let termIsDurable = currentHardState.term == reportedHardState.term && currentHardState.vote == reportedHardState.vote
        let sendsEarly = role == .leader && termIsDurable && log.pendingSnapshot == nil
        let early = sendsEarly ? outbox.filter(\.isAppend) : []
        let committed = Array(log.entriesToApply)
        // Entries at or below the stable index were persisted by earlier Readies; a pending
        // snapshot must be installed before anything after it is applied.
        let stableIndex = log.stableIndex
        let appliable = log.pendingSnapshot == nil ? committed.prefix { $0.index <= stableIndex }.count : 0
        let ready = Ready(
            sequence: readySequence,
            hardState: currentHardState == reportedHardState ? nil : currentHardState,
            softState: currentSoftState == reportedSoftState ? nil : currentSoftState,
            snapshot: log.pendingSnapshot,
            entries: Array(log.unstableEntries),
            earlyMessages: early,
            messages: sendsEarly ? outbox.filter { !$0.isAppend } : outbox,
            snapshotTransfers: pendingSnapshotTransfers,
            committedEntries: committed,
            appliableBeforePersisting: appliable
        )
        reportedHardState = currentHardState
        reportedSoftState = currentSoftState
        outbox = []
        pendingSnapshotTransfers = []
        readyAwaitingAdvance = readySequence
        return ready
    }

    /// Confirms that `ready` was handled: its snapshot and entries are persisted, its messages
    /// sent and its committed entries applied.
    public mutating func advance(_ ready: Ready) {
        precondition(readyAwaitingAdvance == ready.sequence,
                     "\(id): advance() of Ready #\(ready.sequence) but #\(readyAwaitingAdvance.map(String.init) ?? "none") is outstanding")
        readyAwaitingAdvance = nil
        if let snapshot = ready.snapshot { log.markSnapshotPersisted(snapshot) }
        if let last = ready.entries.last {
            log.markStable(through: last.index, term: last.term)
            // A leader counts itself only for what it persisted: this may complete a quorum.
            if role == .leader, advanceCommit() { broadcastPending = true }
        }
        if let last = ready.committedEntries.last { log.markApplied(through: last.index) }
    }
}
