import Testing

@testable import ParasolConsensus

/// Thesis §3.10: leadership transfer — catch the target up, send `timeoutNow`, and give up after
/// one election timeout.
@Suite struct LeadershipTransferTests {
    @Test func transferHandsOverWithinAFewRoundTrips() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        let term = cluster.node(leader).term
        let target = cluster.others(than: leader)[1]
        try cluster.withNode(leader) { try $0.transferLeadership(to: target) }
        cluster.deliverDueEvents()
        #expect(cluster.leader == target)
        #expect(cluster.node(target).term == term + 1)
        #expect(cluster.node(leader).role == .follower)
        #expect(cluster.node(leader).leadershipTransferTarget == nil)
        cluster.expectNoViolation()
    }

    /// A target that is behind is caught up first; proposals wait meanwhile.
    @Test func laggingTargetIsCaughtUpFirst() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        let target = cluster.others(than: leader)[0]
        cluster.cut(from: leader, to: target)
        for seq in UInt32(1)...5 { _ = cluster.propose(command(seq), at: leader) }
        cluster.tick(1)
        #expect(cluster.node(target).lastIndex < cluster.node(leader).lastIndex)
        try cluster.withNode(leader) { try $0.transferLeadership(to: target) }
        #expect(cluster.propose(command(6), at: leader) == .failure(.leadershipTransferInProgress(target: target)))
        cluster.healNetwork()
        #expect(cluster.tick(until: { cluster.leader == target }, maxTicks: cluster.electionTicks))
        #expect(cluster.waitForConvergence())
        #expect(cluster.replica(target).state.counter == 5)
        cluster.expectNoViolation()
    }

    /// A target that cannot catch up within an election timeout: the transfer is abandoned and
    /// the leader (which never sent `timeoutNow`) keeps leading and accepts proposals again.
    @Test func transferAbortsAfterAnElectionTimeout() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        let target = cluster.others(than: leader)[0]
        cluster.cut(from: leader, to: target)
        _ = cluster.propose(command(1), at: leader)
        cluster.tick(1)
        try cluster.withNode(leader) { try $0.transferLeadership(to: target) }
        cluster.tick(cluster.electionTicks)
        #expect(cluster.node(leader).leadershipTransferTarget == nil)
        #expect(cluster.node(leader).role == .leader)
        #expect(throws: Never.self) { try cluster.propose(command(2), at: leader).get() }
        cluster.expectNoViolation()
    }

    /// If `timeoutNow` left but the target never won, the leader cannot know whether it still
    /// will (the message may be delayed), so it cannot prove its lease any more: it steps down.
    @Test func leaderStepsDownWhenTimeoutNowWasSentButTheTransferTimedOut() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        let target = cluster.others(than: leader)[0]
        cluster.dropFilter = { $0.kind == .timeoutNow }
        try cluster.withNode(leader) { try $0.transferLeadership(to: target) }
        cluster.tick(cluster.electionTicks)
        #expect(cluster.node(leader).role == .follower)
        cluster.dropFilter = nil
        #expect(cluster.waitForLeader() != nil)
        cluster.expectNoViolation()
    }

    @Test func invalidTransfersAreRefused() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        let follower = cluster.others(than: leader)[0]
        #expect(throws: TransferError.targetIsSelf(leader)) { try cluster.withNode(leader) { try $0.transferLeadership(to: leader) } }
        #expect(throws: TransferError.unknownTarget(42)) { try cluster.withNode(leader) { try $0.transferLeadership(to: 42) } }
        #expect(throws: TransferError.notLeader(leaderHint: leader)) {
            try cluster.withNode(follower) { try $0.transferLeadership(to: leader) }
        }
        cluster.expectNoViolation()
    }
}
