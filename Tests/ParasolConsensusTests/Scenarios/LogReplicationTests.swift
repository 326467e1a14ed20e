import Testing

@testable import ParasolConsensus

/// Raft §5.3: log replication, log matching, and the fast conflict back-off.
@Suite struct LogReplicationTests {
    /// Committed commands reach every replica, which all apply the same sequence.
    @Test func committedEntriesReachEveryReplica() throws {
        let cluster = try SimCluster.calm(nodes: 5)
        let leader = try #require(cluster.waitForLeader())
        for seq in UInt32(1)...10 {
            #expect(throws: Never.self) { try cluster.propose(command(seq, delta: 2), at: leader).get() }
        }
        #expect(cluster.waitForConvergence())
        for replica in cluster.replicas {
            #expect(replica.state.counter == 20, "\(replica.id)")
            #expect(replica.state.digest == cluster.replica(leader).state.digest)
        }
        cluster.expectNoViolation()
    }

    /// A deposed leader holding 40 uncommitted entries of its old term is repaired with a single
    /// rejection: the reply names the conflicting term and where it starts, and the leader jumps
    /// over the whole term instead of stepping back one index per round trip (31 here).
    @Test func conflictBackOffSkipsAWholeTerm() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let deposed = try #require(cluster.waitForLeader())
        let deposedTerm = cluster.node(deposed).term
        let committedBefore = cluster.node(deposed).commitIndex
        cluster.isolate(deposed)
        for seq in UInt32(1)...40 { _ = cluster.propose(command(seq), at: deposed) }
        cluster.tick(1)
        #expect(cluster.node(deposed).lastIndex == committedBefore + 40)

        // A second leader commits 30 entries of a newer term, then hands over to the third
        // replica, whose first probe to the deposed leader starts right after those entries.
        let second = try #require(cluster.tick(until: {
            cluster.leader.map { $0 != deposed } ?? false
        }, maxTicks: 400) ? cluster.leader : nil)
        for seq in UInt32(100)...129 { _ = cluster.propose(command(seq), at: second) }
        #expect(cluster.waitForConvergence(among: cluster.others(than: deposed)))
        let third = cluster.others(than: deposed).first { $0 != second }!
        try cluster.withNode(second) { try $0.transferLeadership(to: third) }
        #expect(cluster.tick(until: { cluster.leader == third }, maxTicks: 100))
        let lastIndex = cluster.node(third).lastIndex
        #expect(lastIndex >= committedBefore + 32)
        #expect(cluster.node(deposed).term(at: lastIndex - 1) == deposedTerm)

        let tally = MessageTally()
        cluster.onSend = { tally.record($0) }
        cluster.healNetwork()
        #expect(cluster.waitForConvergence())
        let rejections = tally.count { $0.from == deposed && $0.isRejectedAppend }
        #expect(rejections == 1, "expected one rejection for a whole conflicting term, saw \(rejections)")
        #expect(cluster.node(deposed).lastIndex == cluster.node(third).lastIndex)
        #expect(cluster.replica(deposed).state == cluster.replica(third).state)
        cluster.expectNoViolation()
    }

    /// A follower commits only what the append proved to match (§5.3: min(leader commit, index
    /// of the last new entry)), never a stale suffix beyond it that the leader did not send.
    @Test func followerNeverCommitsBeyondWhatTheAppendCovered() {
        let stale = [1, 1, 2, 2].enumerated().map { LogEntry(term: Term($0.element), index: LogIndex($0.offset + 1)) }
        var log = RaftLog(snapshot: .empty, entries: stale, committed: 1)
        let request = AppendRequest(prevIndex: 1, prevTerm: 1, entries: [LogEntry(term: 1, index: 2)], commit: 4, sentAtTick: 0)
        #expect(log.appendFromLeader(request) == 2)
        #expect(log.committed == 2, "entries 3 and 4 (term 2) were not sent by this leader and may differ from its own")
        #expect(log.lastIndex == 4, "a matching prefix truncates nothing")
    }

    /// The follower's hint and the leader's use of it, on the log itself.
    @Test func rejectionHintArithmetic() {
        let entries = [1, 1, 2, 2, 2, 4, 4].enumerated().map { LogEntry(term: Term($0.element), index: LogIndex($0.offset + 1)) }
        let log = RaftLog(snapshot: .empty, entries: entries, committed: 1)
        // Follower side: the run of term 2 that contains index 5 starts at 3.
        #expect(log.firstIndex(ofTermAt: 5, floor: 2) == 3)
        // ...but never below the floor (everything up to the commit index already matches).
        #expect(log.firstIndex(ofTermAt: 5, floor: 4) == 4)
        // Leader side: our last entry of term 2 at or below 7 is 5; of term 3 there is none.
        #expect(log.lastIndex(ofTerm: 2, atOrBelow: 7) == 5)
        #expect(log.lastIndex(ofTerm: 3, atOrBelow: 7) == nil)
        #expect(log.lastIndex(ofTerm: 4, atOrBelow: 6) == 6)
    }
}
