import Testing

@testable import ParasolConsensus

/// CheckQuorum: a leader that has not heard from a majority within an election timeout steps
/// down, so clients stop writing to a leader that cannot commit.
@Suite struct CheckQuorumTests {
    @Test func isolatedLeaderStepsDownWithinTwoElectionTimeouts() throws {
        let cluster = try SimCluster.calm(nodes: 5)
        let leader = try #require(cluster.waitForLeader())
        cluster.isolate(leader)
        let isolatedAt = cluster.now
        #expect(cluster.tick(until: { cluster.node(leader).role != .leader }, maxTicks: 3 * cluster.electionTicks))
        #expect(cluster.now - isolatedAt <= UInt64(2 * cluster.electionTicks))
        #expect(cluster.propose(command(1), at: leader) == .failure(.notLeader(leaderHint: nil)))
        cluster.expectNoViolation()
    }

    /// A leader that still hears from a majority (here 3 of 5, two replicas down) keeps leading.
    @Test func leaderWithAMajorityStays() throws {
        let cluster = try SimCluster.calm(nodes: 5)
        let leader = try #require(cluster.waitForLeader())
        let others = cluster.others(than: leader)
        cluster.crash(others[0])
        cluster.crash(others[1])
        cluster.tick(10 * cluster.electionTicks)
        #expect(cluster.leader == leader)
        cluster.expectNoViolation()
    }

    /// A leader whose own loop stalled for two election timeouts catches up with stalled ticks:
    /// they end its lease (wall time passed) but not its term, since its followers' answers are
    /// still queued. The quorum round starts over: it keeps a leader that hears its followers and
    /// deposes one that does not, at most one election timeout later than without the stall.
    @Test func stalledTicksEndTheLeaseButRestartTheQuorumRound() throws {
        for followersSilent in [false, true] {
            let cluster = try SimCluster.calm(nodes: 3)
            let leader = try #require(cluster.waitForLeader())
            cluster.tick(cluster.electionTicks)
            #expect(cluster.node(leader).canServeLocalReads)
            if followersSilent { cluster.isolate(leader) }
            cluster.withNode(leader) { $0.tick(stalled: 2 * cluster.electionTicks + 1) }
            #expect(cluster.node(leader).role == .leader, "a stall alone must not depose the leader")
            #expect(!cluster.node(leader).canServeLocalReads, "stalled ticks count toward the lease")
            cluster.tick(2 * cluster.electionTicks)
            #expect((cluster.node(leader).role == .leader) == !followersSilent,
                    "followers silent: \(followersSilent), role two election timeouts after the stall: \(cluster.node(leader).role)")
            cluster.expectNoViolation()
        }
    }

    /// The contrast: without CheckQuorum the isolated leader believes it leads forever.
    @Test func withoutCheckQuorumTheIsolatedLeaderStays() throws {
        let cluster = try SimCluster.calm(nodes: 3) { $0.checkQuorum = false }
        let leader = try #require(cluster.waitForLeader())
        cluster.isolate(leader)
        cluster.tick(10 * cluster.electionTicks)
        #expect(cluster.node(leader).role == .leader)
        cluster.expectNoViolation()
    }
}
