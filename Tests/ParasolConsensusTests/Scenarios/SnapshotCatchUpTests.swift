import Testing

@testable import ParasolConsensus

/// Raft §7: a follower whose next entries were compacted away is sent the leader's snapshot,
/// installs it, and continues from there.
@Suite struct SnapshotCatchUpTests {
    @Test func farBehindFollowerInstallsASnapshot() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        let straggler = cluster.others(than: leader)[0]
        cluster.crash(straggler)
        for seq in UInt32(1)...60 {
            _ = cluster.propose(command(seq), at: leader)
            cluster.tick()
        }
        #expect(cluster.waitForConvergence())
        for id in cluster.others(than: straggler) { #expect(cluster.compact(id)) }
        let compactedThrough = cluster.node(leader).snapshot.index
        #expect(compactedThrough >= 60)

        let tally = MessageTally()
        cluster.onSend = { tally.record($0) }
        cluster.restart(straggler)
        #expect(cluster.waitForConvergence())
        #expect(cluster.snapshotsStreamed == 1)
        #expect(cluster.snapshotsInstalled == 1)
        #expect(cluster.node(straggler).snapshot == cluster.node(leader).snapshot)
        #expect(cluster.replica(straggler).state == cluster.replica(leader).state)
        #expect(tally.count { $0.to == straggler && ($0.appendEntries?.contains { $0.index <= compactedThrough } ?? false) } == 0)

        // And it keeps replicating normally afterwards.
        _ = cluster.propose(command(61), at: leader)
        #expect(cluster.waitForConvergence())
        #expect(cluster.replica(straggler).state.counter == 61)
        cluster.expectNoViolation()
    }

    /// A lost stream is retried: after a reported failure the leader asks for a new snapshot.
    @Test func failedStreamIsRetried() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        let straggler = cluster.others(than: leader)[0]
        cluster.crash(straggler)
        for seq in UInt32(1)...10 { _ = cluster.propose(command(seq), at: leader) }
        #expect(cluster.waitForConvergence())
        #expect(cluster.compact(leader))
        cluster.faults.snapshotFailureReportProbability = 1
        cluster.restart(straggler)
        cluster.tick(3 * cluster.electionTicks)
        #expect(cluster.snapshotsStreamed >= 2, "a reported failure should lead to another attempt")
        cluster.faults.snapshotFailureReportProbability = 0
        #expect(cluster.waitForConvergence())
        #expect(cluster.replica(straggler).state.counter == 10)
        cluster.expectNoViolation()
    }

    @Test func compactionRefusesWhatItCannotForget() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        let applied = cluster.node(leader).appliedIndex
        let term = try #require(cluster.node(leader).term(at: applied))
        #expect(throws: CompactionError.beyondApplied(requested: applied + 1, applied: applied)) {
            try cluster.withNode(leader) { try $0.compact(through: SnapshotMeta(index: applied + 1, term: term)) }
        }
        #expect(throws: CompactionError.termMismatch(index: applied, snapshotTerm: term + 1, logTerm: term)) {
            try cluster.withNode(leader) { try $0.compact(through: SnapshotMeta(index: applied, term: term + 1)) }
        }
        #expect(cluster.compact(leader))
        #expect(throws: CompactionError.notBeyondCurrentSnapshot(requested: applied, current: applied)) {
            try cluster.withNode(leader) { try $0.compact(through: SnapshotMeta(index: applied, term: term)) }
        }
        cluster.expectNoViolation()
    }
}
