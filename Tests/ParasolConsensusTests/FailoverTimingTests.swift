import Testing

@testable import ParasolConsensus

/// The number Parasol exists for: after the leader of a 3-replica group dies, how many ticks
/// until a new leader commits (its no-op)? With the default config and 10 ms ticks this is the
/// shell's expected failover time on a LAN (messages take under a tick).
@Suite struct FailoverTimingTests {
    static let runs = 2_000

    @Test func leaderCrashToFirstCommitByTheNewLeader() async throws {
        var samples: [Int] = []
        for seed in UInt64(1)...UInt64(Self.runs) {
            let cluster = try SimCluster.calm(nodes: 3, seed: seed)
            let oldLeader = try #require(cluster.waitForLeader(), "seed \(seed)")
            // Crash at a random phase of the heartbeat cycle.
            cluster.tick(Int(seed % 17))
            let oldTerm = cluster.node(oldLeader).term
            cluster.crash(oldLeader)
            let crashedAt = cluster.now
            let recovered = cluster.tick(until: {
                cluster.replicas.contains { replica in
                    guard let node = replica.node, node.role == .leader, node.term > oldTerm else { return false }
                    return node.term(at: node.commitIndex) == node.term
                }
            }, maxTicks: 20 * cluster.electionTicks)
            #expect(recovered, "seed \(seed): no new leader committed within 20 election timeouts")
            samples.append(Int(cluster.now - crashedAt))
            cluster.expectNoViolation()
            await Task.yield()  // share the test pool with the network tests running beside this one
        }
        samples.sort()
        let median = samples[samples.count / 2]
        let p90 = samples[samples.count * 9 / 10]
        let p99 = samples[samples.count * 99 / 100]
        print("failover (3 replicas, default config, \(samples.count) crashes): median \(median) ticks (~\(median * 10) ms), "
            + "p90 \(p90) ticks (~\(p90 * 10) ms), p99 \(p99) ticks, max \(samples.last!) ticks")
        // Deterministic seeds: these bounds only move if the protocol's timing changes.
        #expect(median <= 2 * 15)
        #expect(p90 <= 3 * 15)
    }
}
