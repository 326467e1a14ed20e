import Testing

@testable import ParasolConsensus

/// Thesis §9.6: with pre-vote, a replica that was partitioned away cannot inflate its term and
/// depose a healthy leader when it returns.
@Suite struct PreVoteTests {
    @Test func rejoiningReplicaDoesNotDisruptTheLeader() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        let term = cluster.node(leader).term
        let wanderer = cluster.others(than: leader)[0]
        cluster.isolate(wanderer)
        cluster.tick(10 * cluster.electionTicks)
        #expect(cluster.node(wanderer).term == term, "pre-votes must not bump the term")
        #expect(cluster.node(wanderer).role != .leader)

        cluster.healNetwork()
        cluster.tick(5 * cluster.electionTicks)
        #expect(cluster.leader == leader)
        #expect(cluster.replicas.allSatisfy { $0.node?.term == term })
        cluster.expectNoViolation()
    }

    /// The contrast: without pre-vote the wanderer's term climbs while it is alone, and when it
    /// returns its higher term deposes the leader.
    @Test func withoutPreVoteTheRejoiningReplicaDisrupts() throws {
        let cluster = try SimCluster.calm(nodes: 3) { $0.preVote = false }
        let leader = try #require(cluster.waitForLeader())
        let term = cluster.node(leader).term
        let wanderer = cluster.others(than: leader)[0]
        cluster.isolate(wanderer)
        cluster.tick(10 * cluster.electionTicks)
        #expect(cluster.node(wanderer).term > term + 3)

        cluster.healNetwork()
        cluster.tick(5 * cluster.electionTicks)
        #expect(cluster.replicas.allSatisfy { ($0.node?.term ?? 0) > term }, "the old term should be over")
        cluster.expectNoViolation()
    }
}
