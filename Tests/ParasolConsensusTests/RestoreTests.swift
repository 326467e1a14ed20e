import Testing

@testable import ParasolConsensus

/// Rebuilding a node from what its application persisted.
@Suite struct RestoreTests {
    let config = Config(id: 1, peers: [1, 2, 3], randomSeed: 3)

    func entries(_ terms: [Term], after index: LogIndex = 0) -> [LogEntry] {
        terms.enumerated().map { LogEntry(term: $0.element, index: index + LogIndex($0.offset) + 1) }
    }

    @Test func restoresTermVoteCommitAndReappliesCommittedEntries() throws {
        let state = PersistedState(hardState: HardState(term: 4, vote: 2, commit: 3),
                                   snapshot: SnapshotMeta(index: 1, term: 1), entries: entries([2, 4, 4], after: 1))
        var node = try RaftNode(config: config, restoring: state)
        #expect(node.term == 4 && node.vote == 2 && node.commitIndex == 3)
        #expect(node.appliedIndex == 1 && node.lastIndex == 4 && node.role == .follower)
        let ready = node.ready()
        #expect(ready.hardState == nil, "nothing changed since it was persisted")
        #expect(ready.entries.isEmpty)
        #expect(ready.committedEntries.map(\.index) == [2, 3])
        node.advance(ready)
        #expect(node.appliedIndex == 3)
    }

    /// A torn write left entries of a newer term than the persisted hard state: the node adopts
    /// that term without a vote (its vote of that term was never sent).
    @Test func tornWriteAdoptsTheNewestEntryTerm() throws {
        let state = PersistedState(hardState: HardState(term: 2, vote: 3, commit: 1), entries: entries([1, 2, 5]))
        let node = try RaftNode(config: config, restoring: state)
        #expect(node.term == 5 && node.vote == nil)
    }

    @Test func inconsistentStateIsRejected() {
        #expect(throws: RestoreError.entriesNotContiguous(expectedIndex: 2, foundIndex: 3)) {
            try RaftNode(config: config, restoring: PersistedState(entries: [LogEntry(term: 1, index: 1), LogEntry(term: 1, index: 3)]))
        }
        #expect(throws: RestoreError.entryTermsDecrease(index: 2, term: 1, previousTerm: 2)) {
            try RaftNode(config: config, restoring: PersistedState(hardState: HardState(term: 2), entries: entries([2, 1])))
        }
        #expect(throws: RestoreError.commitBeyondLastIndex(commit: 3, lastIndex: 2)) {
            try RaftNode(config: config, restoring: PersistedState(hardState: HardState(term: 1, commit: 3), entries: entries([1, 1])))
        }
        #expect(throws: RestoreError.voteForUnknownNode(9)) {
            try RaftNode(config: config, restoring: PersistedState(hardState: HardState(term: 1, vote: 9)))
        }
        #expect(throws: RestoreError.entriesNotContiguous(expectedIndex: 6, foundIndex: 1)) {
            try RaftNode(config: config, restoring: PersistedState(snapshot: SnapshotMeta(index: 5, term: 1), entries: entries([1])))
        }
    }

    /// A restarted replica refuses to vote for an election timeout: before the crash it may have
    /// acknowledged a leader whose lease is still running.
    @Test func restartedReplicaHonoursAForgottenLease() throws {
        var node = try RaftNode(config: config, restoring: PersistedState(hardState: HardState(term: 3)))
        node.step(RaftMessage(from: 2, to: 1, term: 4, kind: .vote(lastLogIndex: 9, lastLogTerm: 3, isLeadershipTransfer: false)))
        #expect(node.term == 3, "vote request ignored while the forgotten lease may run")
        var ticked = node
        for _ in 0..<config.electionTicks - 1 { ticked.tick() }
        ticked.step(RaftMessage(from: 2, to: 1, term: 4, kind: .vote(lastLogIndex: 9, lastLogTerm: 3, isLeadershipTransfer: false)))
        #expect(ticked.term == 3)
        ticked.tick()
        ticked.step(RaftMessage(from: 2, to: 1, term: 5, kind: .vote(lastLogIndex: 9, lastLogTerm: 3, isLeadershipTransfer: false)))
        #expect(ticked.term == 5 && ticked.vote == 2)
    }
}
