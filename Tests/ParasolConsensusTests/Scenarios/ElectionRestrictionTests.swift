import Testing

@testable import ParasolConsensus

/// Raft §5.4.1: a candidate whose log is behind cannot collect votes, so a new leader always
/// holds every committed entry.
@Suite struct ElectionRestrictionTests {
    @Test func candidateWithAStaleLogLoses() throws {
        // Without pre-vote and leader stickiness the only reason to refuse is the log.
        let cluster = try SimCluster.calm(nodes: 3) { $0.preVote = false; $0.checkQuorum = false }
        let leader = try #require(cluster.waitForLeader())
        let (stale, upToDate) = (cluster.others(than: leader)[0], cluster.others(than: leader)[1])
        cluster.cut(from: leader, to: stale)
        for seq in UInt32(1)...5 { _ = cluster.propose(command(seq), at: leader) }
        cluster.tick(2)
        let committed = cluster.node(leader).commitIndex
        #expect(cluster.node(upToDate).lastIndex == committed)
        #expect(cluster.node(stale).lastIndex < committed)

        cluster.crash(leader)
        let tally = MessageTally()
        cluster.onSend = { tally.record($0) }
        cluster.campaign(stale)
        cluster.deliverDueEvents()
        #expect(cluster.node(stale).role != .leader)
        #expect(tally.count { $0.from == upToDate && $0.to == stale && $0.kind == .voteResponse(granted: false) } == 1)

        let newLeader = try #require(cluster.waitForLeader())
        #expect(newLeader == upToDate)
        #expect(cluster.waitForConvergence())
        #expect(cluster.replica(stale).state.counter == 5)
        cluster.expectNoViolation()
    }
}
