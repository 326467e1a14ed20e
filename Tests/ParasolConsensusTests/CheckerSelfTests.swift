import Testing

@testable import ParasolConsensus

/// The checker must be able to fail: each test plants one violation and expects it named.
@Suite struct CheckerSelfTests {
    /// A 3-replica cluster that committed five writes, with client 1's acknowledgements recorded.
    static func busyCluster() throws -> (SimCluster, NodeID) {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        for seq in UInt32(1)...5 { _ = cluster.propose(command(seq), at: leader) }
        #expect(cluster.waitForConvergence())
        cluster.expectNoViolation()
        return (cluster, leader)
    }

    static func expectFailure(_ cluster: SimCluster, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let failure = cluster.checker.failure ?? "no failure"
        #expect(failure.contains(text), "checker said: \(failure)", sourceLocation: sourceLocation)
    }

    @Test func staleReadIsCaught() throws {
        let (cluster, leader) = try Self.busyCluster()
        let acknowledged = cluster.checker.maxAcknowledgedEffectIndex
        #expect(acknowledged > 1)
        cluster.checker.readServed(value: 0, servedIndex: 1, requiredIndex: acknowledged, by: leader)
        Self.expectFailure(cluster, containing: "stale read")
    }

    @Test func readOfAStateThatNeverExistedIsCaught() throws {
        let (cluster, leader) = try Self.busyCluster()
        let index = cluster.checker.maxAcknowledgedEffectIndex
        cluster.checker.readServed(value: 99, servedIndex: index, requiredIndex: index, by: leader)
        Self.expectFailure(cluster, containing: "returned 99")
    }

    @Test func doubleApplyIsCaught() throws {
        let (cluster, leader) = try Self.busyCluster()
        var state = cluster.replica(leader).state
        state.counter += 1
        cluster.checker.applied(through: state.appliedIndex, state: state, by: cluster.replica(leader))
        Self.expectFailure(cluster, containing: "the reference says")
    }

    @Test func acknowledgedWriteMissingFromTheChainIsCaught() throws {
        let (cluster, leader) = try Self.busyCluster()
        cluster.checker.writeAcknowledged(CounterCommand(client: 3, seq: 1, delta: 1), by: cluster.replica(leader))
        Self.expectFailure(cluster, containing: "never took effect")
    }

    @Test func twoLeadersInOneTermAreCaught() throws {
        let (cluster, leader) = try Self.busyCluster()
        let other = cluster.replica(cluster.others(than: leader)[0])
        other.node!.role = .leader
        cluster.checker.observe(other)
        Self.expectFailure(cluster, containing: "two leaders in term")
    }

    @Test func termGoingBackIsCaught() throws {
        let (cluster, leader) = try Self.busyCluster()
        cluster.replica(leader).node!.term -= 1
        cluster.checker.observe(cluster.replica(leader))
        Self.expectFailure(cluster, containing: "term went back")
    }

    @Test func changedCommittedEntryIsCaught() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        let follower = cluster.replica(cluster.others(than: leader)[0])
        cluster.isolate(follower.id)
        for seq in UInt32(1)...5 { _ = cluster.propose(command(seq), at: leader) }
        cluster.tick(2)
        let committed = cluster.node(leader).commitIndex
        var forged = (1...committed).map { cluster.node(leader).log.entry(at: $0)! }
        forged[forged.count - 1].payload = command(5, delta: 1000).encoded
        follower.node!.log = RaftLog(snapshot: .empty, entries: forged, committed: committed)
        cluster.checker.observe(follower)
        Self.expectFailure(cluster, containing: "committed entry \(committed) changed")
    }

    @Test func committedEntryMissingFromAQuorumOfDisksIsCaught() throws {
        let (cluster, _) = try Self.busyCluster()
        let blankDisks = try SimCluster.calm(nodes: 3).replicas
        cluster.checker.checkDurability(blankDisks)
        Self.expectFailure(cluster, containing: "durable on only 0 disks")
    }

    @Test func conflictingEntriesUnderOneIndexAndTermAreCaught() throws {
        let (cluster, leader) = try Self.busyCluster()
        let replica = cluster.replica(leader)
        var node = replica.node!
        let last = node.lastIndex
        _ = node.propose(command(6).encoded)
        let ready = node.ready()
        let forged = Ready(sequence: ready.sequence, hardState: nil, softState: nil, snapshot: nil,
                       entries: [LogEntry(term: node.term(at: last)!, index: last, payload: command(7).encoded)],
                       earlyMessages: [], messages: [], snapshotTransfers: [], committedEntries: [],
                       appliableBeforePersisting: 0)
        cluster.checker.willPersist(forged, by: replica)
        Self.expectFailure(cluster, containing: "log matching")
    }
}
