import Testing

@testable import ParasolConsensus

/// The `Ready`/`advance` contract and the single-replica path through it.
@Suite struct ReadyContractTests {
    /// A single-replica group whose election timeout just made it leader (no `Ready` taken yet).
    static func singleNode() throws -> RaftNode {
        var node = try RaftNode(config: Config(id: 1, peers: [1], randomSeed: 1))
        for _ in 0..<(2 * node.config.electionTicks) where node.role != .leader { node.tick() }
        return node
    }

    @Test func singleReplicaCommitsThroughReadyAndAdvance() throws {
        var node = try Self.singleNode()
        #expect(node.role == .leader)
        var ready = node.ready()
        #expect(ready.hardState == HardState(term: 1, vote: 1, commit: 1))
        #expect(ready.softState == SoftState(role: .leader, leader: 1))
        #expect(ready.entries.map(\.kind) == [.leaderNoop])
        #expect(ready.committedEntries.map(\.index) == [1], "persisted and applied in the same Ready")
        #expect(ready.messages.isEmpty)
        node.advance(ready)
        #expect(!node.hasReady)

        let receipt = try node.propose([7]).get()
        #expect(receipt == ProposalReceipt(index: 2, term: 1))
        ready = node.ready()
        #expect(ready.entries.map(\.payload) == [[7]])
        #expect(ready.committedEntries.map(\.index) == [2])
        node.advance(ready)
        #expect(node.appliedIndex == 2 && node.commitIndex == 2)
        #expect(!node.hasReady)
    }

    @Test func hasReadyIsFalseWhileAReadyAwaitsAdvance() throws {
        var node = try Self.singleNode()
        let ready = node.ready()
        _ = node.propose([1])
        #expect(node.isAwaitingAdvance)
        #expect(!node.hasReady)
        node.advance(ready)
        #expect(node.hasReady)
    }

    @Test func secondReadyWithoutAdvanceIsAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) {
            var node = try ReadyContractTests.singleNode()
            _ = node.ready()
            _ = node.ready()
        }
    }

    @Test func advancingAReadyThatIsNotOutstandingIsAPreconditionFailure() async {
        await #expect(processExitsWith: .failure) {
            var node = try ReadyContractTests.singleNode()
            let ready = node.ready()
            node.advance(ready)
            node.advance(ready)
        }
    }

    @Test func seededGeneratorReplaysExactly() {
        var a = SeededGenerator(seed: 77)
        var b = SeededGenerator(seed: 77)
        var c = SeededGenerator(seed: 78)
        let first = (0..<100).map { _ in a.next() }
        #expect(first == (0..<100).map { _ in b.next() })
        #expect(first != (0..<100).map { _ in c.next() })
    }

    /// Replicas sharing one configured seed still draw different election timeouts.
    @Test func replicasDrawDifferentTimeoutsFromOneSeed() throws {
        let timeouts = try (1...5).map { id in
            try RaftNode(config: Config(id: NodeID(UInt64(id)), peers: [1, 2, 3, 4, 5], randomSeed: 5)).randomizedElectionTimeoutTicks
        }
        #expect(Set(timeouts).count > 1)
        #expect(timeouts.allSatisfy { (15..<30).contains($0) })
    }
}
