import Testing

@testable import ParasolConsensus

/// Raft §5.4.2 and Figure 8: a leader never commits an entry of an earlier term by counting
/// replicas, because a later leader may still overwrite it.
@Suite struct CommitRuleTests {
    @Test func figure8PriorTermEntryOnAMajorityIsNotCommitted() throws {
        // Plain Raft (no pre-vote, no stickiness), one entry per append so the script can stop
        // replication between two entries.
        let cluster = try SimCluster.calm(nodes: 5) {
            $0.preVote = false
            $0.checkQuorum = false
            $0.maxEntriesBytesPerMessage = 1
        }
        // (a) n1 leads and replicates entry A (index 2) to n2 only.
        cluster.campaign(1)
        cluster.deliverDueEvents()
        #expect(cluster.node(1).role == .leader && cluster.node(1).commitIndex == 1)
        let termA = cluster.node(1).term
        for follower: NodeID in [3, 4, 5] { cluster.cut(from: 1, to: follower) }
        _ = cluster.propose(command(1), at: 1)
        cluster.deliverDueEvents()
        #expect(cluster.node(2).lastIndex == 2 && cluster.node(1).commitIndex == 1)

        // (b) n1 crashes; n5 wins with n3 and n4 and appends its no-op at index 2, which never
        // leaves n5 before it crashes too.
        cluster.crash(1)
        cluster.healNetwork()
        cluster.dropFilter = { $0.from == 5 && $0.appendEntries != nil }
        cluster.campaign(5)
        cluster.deliverDueEvents()
        #expect(cluster.node(5).role == .leader && cluster.node(5).term(at: 2) == cluster.node(5).term)
        let termB = cluster.node(5).term
        cluster.crash(5)
        cluster.dropFilter = nil

        // (c) n1 restarts and wins a later term with n2 and n3 (n4 is down). It replicates A to
        // n3, so A is on n1, n2 and n3 — a majority — while n1's own no-op (index 3) never
        // reaches n3. A must stay uncommitted: it is not of n1's term.
        cluster.crash(4)
        cluster.restart(1)
        cluster.dropFilter = { message in
            message.to == 3 && (message.appendEntries?.contains { $0.index >= 3 } ?? false)
        }
        #expect(cluster.campaignUntilLeader(1))
        cluster.tick(cluster.electionTicks)
        let termC = cluster.node(1).term
        #expect(termC > termB)
        for id: NodeID in [1, 2, 3] { #expect(cluster.node(id).term(at: 2) == termA, "\(id) should hold A") }
        #expect(cluster.node(1).progress[2].match == 2, "n3 acknowledged A")
        #expect(cluster.node(1).commitIndex == 1, "A (term \(termA)) sits on a majority but must not be committed in term \(termC)")

        // (d) n1 crashes; n5 comes back and wins with n3 and n4 (its last term beats theirs) and
        // overwrites index 2 everywhere. Nothing committed was lost: the checker agrees.
        cluster.crash(1)
        cluster.dropFilter = nil
        cluster.restart(4)
        cluster.restart(5)
        #expect(cluster.campaignUntilLeader(5))
        #expect(cluster.waitForConvergence())
        for id: NodeID in [2, 3, 4, 5] { #expect(cluster.node(id).term(at: 2) == termB, "\(id) should hold n5's entry") }
        cluster.expectNoViolation()
    }

    /// The fast commit computation (quorum-th largest match index) agrees with a dumb reference
    /// (try every candidate index, count who holds it) on random inputs.
    @Test func quorumIndexMatchesReference() {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<20_000 {
            let voters = Int.random(in: 1...7, using: &rng)
            let matches = (0..<voters).map { _ in LogIndex.random(in: 0...20, using: &rng) }
            let quorum = Quorum.size(voterCount: voters)
            let reference = (0...20).reversed().first { candidate in
                matches.filter { $0 >= candidate }.count >= quorum
            }.map(LogIndex.init) ?? 0
            #expect(Quorum.value(reachedBy: quorum, of: matches) == reference, "\(matches)")
        }
    }
}
