/// Client proposals. Only the leader appends; everything proposed before the next `ready()`
/// leaves in one append per follower (batching).
extension RaftNode {
    /// Appends `payload` as a new entry of the current term. The entry is committed once a
    /// quorum persisted it — never earlier — and then appears in `Ready.committedEntries`.
    public mutating func propose(_ payload: EntryPayload) -> ProposeResult {
        guard role == .leader else { return .failure(.notLeader(leaderHint: leader)) }
        if let target = leadershipTransferTarget { return .failure(.leadershipTransferInProgress(target: target)) }
        let entry = LogEntry(term: term, index: log.lastIndex + 1, kind: .normal, payload: payload)
        // One proposal always fits when nothing is pending, so a single huge entry cannot wedge the group.
        if uncommittedBytes > 0 && uncommittedBytes + entry.chargedBytes > config.maxUncommittedBytes {
            return .failure(.uncommittedBytesLimitReached(uncommittedBytes: uncommittedBytes,
                                                          limitBytes: config.maxUncommittedBytes))
        }
        log.append(entry)
        uncommittedBytes += entry.chargedBytes
        broadcastPending = true
        // A single-replica group commits on its own vote.
        if advanceCommit() { broadcastPending = true }
        return .success(ProposalReceipt(index: entry.index, term: entry.term))
    }
}
