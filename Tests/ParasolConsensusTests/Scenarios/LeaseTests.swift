import Testing

@testable import ParasolConsensus

/// The leader lease: local reads only while a quorum acknowledged a message sent less than
/// (electionTicks − leaseSafetyMarginTicks) ticks ago, and never across a possible new leader.
@Suite struct LeaseTests {
    @Test func steadyLeaderServesLocalReads() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        cluster.tick(cluster.replicas[0].config.heartbeatTicks)
        let permit = try #require(cluster.node(leader).localReadPermit)
        #expect(permit.readIndex == cluster.node(leader).commitIndex)
        #expect(permit.leaseEndsAtTick > cluster.node(leader).ticksElapsed)
        for id in cluster.others(than: leader) { #expect(cluster.node(id).localReadPermit == nil) }
        cluster.expectNoViolation()
    }

    /// An isolated leader's lease ends before any other replica can become leader, and stays
    /// ended although the old leader still believes it leads for a while.
    @Test(arguments: UInt64(1)...10)
    func leaseExpiresBeforeAnotherLeaderCanExist(seed: UInt64) throws {
        let cluster = try SimCluster.calm(nodes: 5, seed: seed)
        let leader = try #require(cluster.waitForLeader())
        cluster.tick(Int(seed % 3))
        cluster.isolate(leader)
        let isolatedAt = cluster.now
        var leaseEndedAt: UInt64?
        var sawLeaderWithoutLease = false
        let newLeaderElected = cluster.tick(until: {
            if leaseEndedAt == nil && !cluster.node(leader).canServeLocalReads { leaseEndedAt = cluster.now }
            if leaseEndedAt != nil && cluster.node(leader).canServeLocalReads {
                Issue.record("lease came back without contact to a quorum")
            }
            if cluster.node(leader).role == .leader && !cluster.node(leader).canServeLocalReads { sawLeaderWithoutLease = true }
            return cluster.leader.map { $0 != leader } ?? false
        }, maxTicks: 20 * cluster.electionTicks)
        #expect(newLeaderElected)
        let ended = try #require(leaseEndedAt)
        #expect(ended - isolatedAt <= UInt64(cluster.replicas[0].config.leaseDurationTicks))
        #expect(sawLeaderWithoutLease, "CheckQuorum steps down later than the lease ends")
        #expect(!cluster.node(leader).canServeLocalReads)
        cluster.expectNoViolation()
    }

    /// The lease counts from when the leader *sent* what a quorum acknowledged, not from when the
    /// acknowledgements arrived: with answers taking 6 ticks to come back, a lease measured on
    /// arrival would outlive the followers' promise not to elect anyone else.
    @Test(arguments: UInt64(1)...20)
    func leaseCountsFromSendTimeNotArrival(seed: UInt64) throws {
        let cluster = try SimCluster.calm(nodes: 3, seed: seed)
        let leader = try #require(cluster.waitForLeader())
        for follower in cluster.others(than: leader) { cluster.delay(from: follower, to: leader, ticks: 6) }
        cluster.tick(3 * cluster.electionTicks)
        let renewed = cluster.node(leader).canServeLocalReads
        #expect(renewed, "slow answers still renew the lease")
        for follower in cluster.others(than: leader) { cluster.cut(from: leader, to: follower) }
        let newLeaderElected = cluster.tick(until: {
            if cluster.node(leader).canServeLocalReads, let current = cluster.leader, current != leader {
                Issue.record("\(current) leads while \(leader) still holds a lease")
            }
            return cluster.leader.map { $0 != leader } ?? false
        }, maxTicks: 20 * cluster.electionTicks)
        let stillLeased = cluster.node(leader).canServeLocalReads
        #expect(newLeaderElected)
        #expect(!stillLeased)
        cluster.expectNoViolation()
    }

    /// A new leader serves no local read until it committed an entry of its own term: only then
    /// does its commit index cover every write acknowledged by earlier leaders.
    @Test func newLeaderWaitsForItsNoopBeforeServingReads() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        cluster.dropFilter = { message in
            if case .appendResponse = message.kind { return true }
            return false
        }
        let leader = try #require(cluster.tick(until: { cluster.leader != nil }, maxTicks: 200) ? cluster.leader : nil)
        cluster.tick(2 * cluster.replicas[0].config.heartbeatTicks)
        let node = cluster.node(leader)
        #expect(node.role == .leader && node.term(at: node.commitIndex) != node.term, "the no-op must still be uncommitted")
        #expect(node.localReadPermit == nil, "heartbeats were answered, but the commit index may miss acknowledged writes")

        cluster.dropFilter = nil
        #expect(cluster.tick(until: { cluster.node(leader).canServeLocalReads }, maxTicks: 10))
        cluster.expectNoViolation()
    }

    @Test func noLocalReadsWithoutCheckQuorum() throws {
        let cluster = try SimCluster.calm(nodes: 3) { $0.checkQuorum = false }
        let leader = try #require(cluster.waitForLeader())
        cluster.tick(cluster.electionTicks)
        #expect(cluster.node(leader).localReadPermit == nil)
        cluster.expectNoViolation()
    }

    /// A transferring leader stops serving local reads: the target may win without the voters'
    /// stickiness check.
    @Test func transferringLeaderServesNoLocalReads() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        cluster.tick(3)
        #expect(cluster.node(leader).canServeLocalReads)
        let target = cluster.others(than: leader)[0]
        cluster.cut(from: leader, to: target)
        _ = cluster.propose(command(1), at: leader)
        cluster.tick(1)
        try cluster.withNode(leader) { try $0.transferLeadership(to: target) }
        #expect(cluster.node(leader).leadershipTransferTarget == target)
        #expect(!cluster.node(leader).canServeLocalReads)
        cluster.expectNoViolation()
    }
}
