/// The in-memory log of one replica: a snapshot prefix, then contiguous entries, split into a
/// stable part (the application confirmed it persisted them via `advance`) and an unstable tail
/// (handed out in the next `Ready`), plus the commit and apply cursors.
///
/// Invariants (asserted where they are relied on):
/// `snapshot.index <= applied <= committed <= lastIndex` and `snapshot.index <= stableIndex <= lastIndex`;
/// `entries[k].index == snapshot.index + 1 + k`; terms never decrease along the log.
struct RaftLog: Sendable {
    private(set) var snapshot: SnapshotMeta
    private(set) var entries: [LogEntry]
    /// Entries up to here are persisted; the ones after it go into the next `Ready`.
    private(set) var stableIndex: LogIndex
    /// A snapshot installed from the leader that the application has not yet been told to persist.
    private(set) var pendingSnapshot: SnapshotMeta?
    private(set) var committed: LogIndex
    private(set) var applied: LogIndex

    /// A log rebuilt from persisted state: everything in it is stable; nothing after the snapshot is applied.
    init(snapshot: SnapshotMeta, entries: [LogEntry], committed: LogIndex) {
        self.snapshot = snapshot
        self.entries = entries
        let last = snapshot.index + LogIndex(entries.count)
        precondition(committed >= snapshot.index && committed <= last,
                     "restored commit \(committed) outside [\(snapshot.index), \(last)]")
        stableIndex = last
        self.committed = committed
        applied = snapshot.index
    }

    // MARK: Queries

    var firstIndex: LogIndex { snapshot.index + 1 }
    var lastIndex: LogIndex { snapshot.index + LogIndex(entries.count) }
    var lastTerm: Term { entries.last?.term ?? snapshot.term }

    /// The term of the entry at `index`, or `nil` when it was compacted away or does not exist yet.
    func term(at index: LogIndex) -> Term? {
        if index == snapshot.index { return snapshot.term }
        guard index > snapshot.index, index <= lastIndex else { return nil }
        return entries[position(of: index)].term
    }

    func entry(at index: LogIndex) -> LogEntry? {
        guard index > snapshot.index, index <= lastIndex else { return nil }
        return entries[position(of: index)]
    }

    func matchTerm(_ index: LogIndex, _ term: Term) -> Bool { self.term(at: index) == term }

    /// The election restriction (§5.4.1): a candidate's log is at least as up to date as ours.
    func isUpToDate(lastIndex candidateIndex: LogIndex, lastTerm candidateTerm: Term) -> Bool {
        candidateTerm > lastTerm || (candidateTerm == lastTerm && candidateIndex >= lastIndex)
    }

    /// Entries from `index` on, at most `maxBytes` (but at least one entry if any exists);
    /// `nil` when `index` was compacted away and only a snapshot can bring a follower there.
    func entries(from index: LogIndex, maxBytes: Int) -> [LogEntry]? {
        guard index > snapshot.index else { return nil }
        guard index <= lastIndex else { return [] }
        var end = position(of: index)
        var bytes = 0
        while end < entries.count {
            let size = entries[end].chargedBytes
            if bytes > 0 && bytes + size > maxBytes { break }
            bytes += size
            end += 1
        }
        return Array(entries[position(of: index)..<end])
    }

    /// The unstable tail: what the next `Ready` asks the application to persist.
    var unstableEntries: ArraySlice<LogEntry> {
        entries[position(of: stableIndex + 1)...]
    }

    var hasUnstableEntries: Bool { stableIndex < lastIndex }

    /// Committed entries the application has not applied yet.
    var entriesToApply: ArraySlice<LogEntry> {
        precondition(applied >= snapshot.index, "applied \(applied) is behind the snapshot \(snapshot.index)")
        return entries[position(of: applied + 1)..<position(of: committed + 1)]
    }

    var hasEntriesToApply: Bool { committed > applied }

    /// Last index of `term` at or below `index`, if the log still holds one (leader side of the
    /// fast back-off).
    func lastIndex(ofTerm term: Term, atOrBelow index: LogIndex) -> LogIndex? {
        var candidate = min(index, lastIndex)
        while candidate > snapshot.index {
            let found = entries[position(of: candidate)].term
            if found == term { return candidate }
            if found < term { return nil }
            candidate -= 1
        }
        return candidate == snapshot.index && snapshot.term == term && candidate > 0 ? candidate : nil
    }

    /// First index of the run of `term` that contains `index`, never below `floor` (follower side
    /// of the fast back-off; entries up to the commit index need no search).
    func firstIndex(ofTermAt index: LogIndex, floor: LogIndex) -> LogIndex {
        guard let term = term(at: index) else { return index }
        var first = index
        while first > floor, first - 1 > snapshot.index, self.term(at: first - 1) == term { first -= 1 }
        return max(first, floor)
    }

    // MARK: Mutations

    /// Leader append of brand-new entries right after the last one.
    mutating func append(_ entry: LogEntry) {
        precondition(entry.index == lastIndex + 1, "appending entry \(entry.index) after last index \(lastIndex)")
        precondition(entry.term >= lastTerm, "appending term \(entry.term) after term \(lastTerm)")
        entries.append(entry)
    }

    /// Follower side of an append (§5.3): if our entry at `prevIndex` has `prevTerm`, keep what
    /// matches, replace the first conflicting entry and everything after it, and commit what the
    /// leader committed among what we now know matches. Returns the last index the leader's
    /// request covers, or `nil` when `prevIndex` does not match.
    mutating func appendFromLeader(_ request: AppendRequest) -> LogIndex? {
        guard matchTerm(request.prevIndex, request.prevTerm) else { return nil }
        let lastNew = request.prevIndex + LogIndex(request.entries.count)
        if let conflict = request.entries.firstIndex(where: { !matchTerm($0.index, $0.term) }) {
            let conflictIndex = request.entries[conflict].index
            precondition(conflictIndex > committed,
                         "leader entry \(conflictIndex) conflicts with committed prefix through \(committed)")
            truncateAndAppend(request.entries[conflict...])
        }
        commit(through: min(request.commit, lastNew))
        return lastNew
    }

    private mutating func truncateAndAppend(_ newEntries: ArraySlice<LogEntry>) {
        guard let first = newEntries.first else { return }
        precondition(first.index > snapshot.index && first.index <= lastIndex + 1,
                     "entries from \(first.index) do not attach to log (\(snapshot.index), \(lastIndex)]")
        entries.removeSubrange(position(of: first.index)...)
        for entry in newEntries {
            precondition(entry.index == lastIndex + 1, "leader sent non-contiguous entry \(entry.index)")
            precondition(entry.term >= lastTerm, "leader sent term \(entry.term) after term \(lastTerm)")
            entries.append(entry)
        }
        stableIndex = min(stableIndex, first.index - 1)
    }

    mutating func commit(through index: LogIndex) {
        guard index > committed else { return }
        precondition(index <= lastIndex, "commit \(index) beyond last index \(lastIndex)")
        committed = index
    }

    /// The application persisted the unstable entries through (`index`, `term`). Ignored when the
    /// tail was replaced meanwhile (the new tail goes out in the next `Ready`).
    mutating func markStable(through index: LogIndex, term: Term) {
        guard index > stableIndex, matchTerm(index, term) else { return }
        stableIndex = index
    }

    mutating func markSnapshotPersisted(_ meta: SnapshotMeta) {
        if pendingSnapshot == meta { pendingSnapshot = nil }
    }

    mutating func markApplied(through index: LogIndex) {
        precondition(index <= committed, "applied \(index) beyond commit \(committed)")
        applied = max(applied, index)
    }

    /// Replace the whole log by a snapshot from the leader (the follower was too far behind).
    mutating func restore(_ meta: SnapshotMeta) {
        precondition(meta.index > committed, "restoring snapshot \(meta.index) at or below commit \(committed)")
        snapshot = meta
        entries = []
        stableIndex = meta.index
        committed = meta.index
        applied = meta.index
        pendingSnapshot = meta
    }

    /// Drop entries up to `meta.index`: the application has a persisted snapshot covering them.
    mutating func compact(through meta: SnapshotMeta) {
        precondition(meta.index > snapshot.index && meta.index <= applied && meta.index <= stableIndex,
                     "compacting through \(meta.index) outside (\(snapshot.index), min(applied \(applied), stable \(stableIndex))]")
        precondition(term(at: meta.index) == meta.term, "snapshot term \(meta.term) does not match log at \(meta.index)")
        entries.removeSubrange(..<position(of: meta.index + 1))
        snapshot = meta
    }

    private func position(of index: LogIndex) -> Int { Int(index - snapshot.index - 1) }
}
