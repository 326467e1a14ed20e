import Testing

@testable import ParasolConsensus

/// Raft §5.2: leader election with randomised timeouts.
@Suite struct LeaderElectionTests {
    /// One leader emerges from a cold start, and everybody follows it.
    @Test(arguments: [3, 5])
    func coldStartElectsExactlyOneLeader(nodes: Int) throws {
        for seed in UInt64(1)...20 {
            let cluster = try SimCluster.calm(nodes: nodes, seed: seed)
            let leader = try #require(cluster.waitForLeader(), "seed \(seed): no leader")
            cluster.tick(cluster.electionTicks)
            let leaders = cluster.replicas.filter { $0.node?.role == .leader }
            #expect(leaders.map(\.id) == [leader], "seed \(seed)")
            for id in cluster.others(than: leader) {
                #expect(cluster.node(id).leader == leader, "seed \(seed): \(id) does not follow \(leader)")
                #expect(cluster.node(id).term == cluster.node(leader).term)
            }
            cluster.expectNoViolation()
        }
    }

    /// Followers that keep hearing heartbeats never campaign: the term stays put.
    @Test func heartbeatsKeepTheTermStable() throws {
        let cluster = try SimCluster.calm(nodes: 5)
        let leader = try #require(cluster.waitForLeader())
        let term = cluster.node(leader).term
        cluster.tick(50 * cluster.electionTicks)
        #expect(cluster.leader == leader)
        #expect(cluster.replicas.allSatisfy { $0.node?.term == term })
        cluster.expectNoViolation()
    }

    /// Two candidates in the same term split a four-replica vote 2–2; nobody wins that term, and
    /// the randomised timeouts of the next round break the tie.
    @Test func splitVoteIsResolvedByRandomisedTimeouts() throws {
        for seed in UInt64(1)...20 {
            let cluster = try SimCluster.calm(nodes: 4, seed: seed) { $0.preVote = false; $0.checkQuorum = false }
            cluster.cut(from: 1, to: 4)
            cluster.cut(from: 2, to: 3)
            cluster.withNode(1) { $0.campaign() }
            cluster.withNode(2) { $0.campaign() }
            cluster.deliverDueEvents()
            #expect(cluster.node(1).role == .candidate && cluster.node(2).role == .candidate, "seed \(seed)")
            #expect(cluster.leader == nil, "seed \(seed): a split vote elected somebody")
            cluster.healNetwork()
            let leader = try #require(cluster.waitForLeader(), "seed \(seed)")
            #expect(cluster.node(leader).term >= 2, "seed \(seed)")
            cluster.expectNoViolation()
        }
    }

    /// A replica that is not leader refuses proposals and names the leader it knows.
    @Test func followerRefusesProposalsWithLeaderHint() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        let follower = cluster.others(than: leader)[0]
        let result = cluster.propose(command(1), at: follower)
        #expect(result == .failure(.notLeader(leaderHint: leader)))
        cluster.expectNoViolation()
    }
}
