import Testing

@testable import ParasolConsensus

/// Pipelined replication with a bounded in-flight window, and batching of proposals.
@Suite struct FlowControlTests {
    /// With acknowledgements lost, the leader stops after `maxInflightMessages` appends to that
    /// follower; once they flow again the follower catches up.
    @Test func inflightWindowBoundsUnacknowledgedAppends() throws {
        let window = 4
        let cluster = try SimCluster.calm(nodes: 3) {
            $0.maxInflightMessages = window
            $0.maxEntriesBytesPerMessage = 1
        }
        let leader = try #require(cluster.waitForLeader())
        let follower = cluster.others(than: leader)[0]
        cluster.cut(from: follower, to: leader)
        let tally = MessageTally()
        cluster.onSend = { tally.record($0) }
        for seq in UInt32(1)...20 { _ = cluster.propose(command(seq), at: leader) }
        cluster.deliverDueEvents()
        let appendsWithEntries = tally.count { $0.to == follower && !($0.appendEntries?.isEmpty ?? true) }
        #expect(appendsWithEntries == window)
        #expect(cluster.node(leader).progress[Int(follower.rawValue) - 1].inflights.isFull)

        cluster.healNetwork()
        #expect(cluster.waitForConvergence())
        #expect(cluster.replica(follower).state.counter == 20)
        cluster.expectNoViolation()
    }

    /// A follower probed at exactly its known match (nothing new to send) goes back to
    /// replicating, so the next proposal reaches it at once instead of after a heartbeat.
    @Test func probeAnsweredAtTheMatchResumesReplication() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        let follower = cluster.others(than: leader)[0]
        let slot = Int(follower.rawValue) - 1
        cluster.withNode(leader) { $0.progress[slot].becomeProbe() }
        cluster.tick(cluster.replicas[0].config.heartbeatTicks)
        let state = cluster.node(leader).progress[slot].state
        #expect(state == .replicate)

        let tally = MessageTally()
        cluster.onSend = { tally.record($0) }
        _ = cluster.propose(command(1), at: leader)
        #expect(tally.count { $0.to == follower && $0.appendEntries?.count == 1 } == 1)
        cluster.expectNoViolation()
    }

    /// A probe goes out again on every heartbeat answer until the follower's answer to it
    /// arrives, so it carries no entries: with them, each resend repeated the next entry (64 MiB
    /// for a large push) while the first copy was still on its way.
    @Test func repeatedProbesCarryNoEntries() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        let follower = cluster.others(than: leader)[0]
        let slot = Int(follower.rawValue) - 1
        cluster.withNode(leader) { $0.progress[slot].becomeProbe() }
        // The follower's answers to appends are lost; its heartbeat answers are not.
        cluster.dropFilter = { message in
            if case .appendResponse = message.kind { return message.from == follower }
            return false
        }
        let tally = MessageTally()
        cluster.onSend = { tally.record($0) }
        _ = cluster.propose(command(1), at: leader)
        cluster.tick(5 * cluster.replicas[0].config.heartbeatTicks)
        let probes = tally.messages.filter { $0.to == follower && $0.appendEntries != nil }
        #expect(probes.count >= 3, "the probe should go out again on heartbeat answers: \(probes.count)")
        #expect(probes.allSatisfy { $0.appendEntries!.isEmpty })

        cluster.dropFilter = nil
        #expect(cluster.waitForConvergence())
        #expect(cluster.replica(follower).state.counter == 1)
        cluster.expectNoViolation()
    }

    /// Everything proposed between two `Ready`s leaves in one append per follower.
    @Test func proposalsBetweenTwoReadysShareOneAppend() throws {
        let cluster = try SimCluster.calm(nodes: 3)
        let leader = try #require(cluster.waitForLeader())
        let tally = MessageTally()
        cluster.onSend = { tally.record($0) }
        cluster.withNode(leader) { node in
            for seq in UInt32(1)...100 { _ = node.propose(command(seq).encoded) }
        }
        let appends = tally.messages.filter { $0.from == leader && !($0.appendEntries?.isEmpty ?? true) }
        #expect(appends.count == 2)
        #expect(appends.allSatisfy { $0.appendEntries?.count == 100 })
        #expect(Set(appends.map(\.to)) == Set(cluster.others(than: leader)))
        cluster.deliverDueEvents()
        #expect(cluster.node(leader).commitIndex == cluster.node(leader).lastIndex)
        cluster.expectNoViolation()
    }

    /// The leader refuses proposals beyond `maxUncommittedBytes` until followers catch up.
    @Test func uncommittedBytesAreBounded() throws {
        let cluster = try SimCluster.calm(nodes: 3) { $0.maxUncommittedBytes = 10 * (16 + LogEntry.headerBytes) }
        let leader = try #require(cluster.waitForLeader())
        for id in cluster.others(than: leader) { cluster.cut(from: leader, to: id) }
        var accepted = 0
        for seq in UInt32(1)...20 {
            if case .success = cluster.propose(command(seq), at: leader) { accepted += 1 }
        }
        #expect(accepted == 10)
        guard case .failure(.uncommittedBytesLimitReached) = cluster.propose(command(21), at: leader) else {
            Issue.record("expected the uncommitted limit")
            return
        }
        cluster.healNetwork()
        #expect(cluster.waitForConvergence())
        #expect(throws: Never.self) { try cluster.propose(command(22), at: leader).get() }
        cluster.expectNoViolation()
    }
}
