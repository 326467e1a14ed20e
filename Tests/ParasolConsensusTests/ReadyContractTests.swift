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
        #expect(ready.hardState == HardState(term: 1, vote: 1, commit: 0))
        #expect(ready.softState == SoftState(role: .leader, leader: 1))
        #expect(ready.entries.map(\.kind) == [.leaderNoop])
        #expect(ready.committedEntries.isEmpty, "a leader counts itself only for entries it persisted")
        #expect(ready.messages.isEmpty && ready.earlyMessages.isEmpty)
        node.advance(ready)
        #expect(node.commitIndex == 1, "advance confirmed the write, which completes the quorum of one")
        ready = node.ready()
        #expect(ready.entries.isEmpty)
        #expect(ready.committedEntries.map(\.index) == [1])
        node.advance(ready)
        #expect(!node.hasReady)

        let receipt = try node.propose([7]).get()
        #expect(receipt == ProposalReceipt(index: 2, term: 1))
        ready = node.ready()
        #expect(ready.entries.map(\.payload) == [[7]])
        #expect(ready.committedEntries.isEmpty)
        node.advance(ready)
        ready = node.ready()
        #expect(ready.committedEntries.map(\.index) == [2])
        node.advance(ready)
        #expect(node.appliedIndex == 2 && node.commitIndex == 2)
        #expect(!node.hasReady)
    }

    @Test func aLeaderMayApplyWhatItCommittedWhileItWritesTheNextBatch() throws {
        var node = try Self.singleNode()
        var ready = node.ready()
        node.advance(ready)
        ready = node.ready()
        #expect(ready.committedEntries.map(\.index) == [1] && ready.appliableBeforePersisting == 1)
        node.advance(ready)
        _ = try node.propose([7]).get()
        ready = node.ready()
        #expect(ready.appliableBeforePersisting == 0, "nothing is committed yet")
        node.advance(ready)
        // Entry 2 is committed by that write; entry 3 arrives before the next Ready.
        _ = try node.propose([8]).get()
        ready = node.ready()
        #expect(ready.entries.map(\.index) == [3])
        #expect(ready.committedEntries.map(\.index) == [2])
        #expect(ready.appliableBeforePersisting == 1, "entry 2 is durable already: it need not wait for entry 3's write")
        node.advance(ready)
    }

    @Test func aFollowerAppliesEntriesItReceivedCommittedOnlyAfterWritingThem() throws {
        var node = try RaftNode(config: Config(id: 2, peers: [1, 2, 3], randomSeed: 1))
        let entries = [LogEntry(term: 1, index: 1, payload: [1]), LogEntry(term: 1, index: 2, payload: [2])]
        node.step(RaftMessage(from: 1, to: 2, term: 1, kind: .append(
            AppendRequest(prevIndex: 0, prevTerm: 0, entries: entries, commit: 2, sentAtTick: 0))))
        var ready = node.ready()
        #expect(ready.entries.map(\.index) == [1, 2])
        #expect(ready.committedEntries.map(\.index) == [1, 2])
        #expect(ready.appliableBeforePersisting == 0, "entries 1 and 2 are durable here only after this Ready's write")
        node.advance(ready)
        // The next append commits entry 3, received and written before it: appliable at once.
        node.step(RaftMessage(from: 1, to: 2, term: 1, kind: .append(
            AppendRequest(prevIndex: 2, prevTerm: 1, entries: [LogEntry(term: 1, index: 3, payload: [3])], commit: 2, sentAtTick: 1))))
        ready = node.ready()
        node.advance(ready)
        node.step(RaftMessage(from: 1, to: 2, term: 1, kind: .append(
            AppendRequest(prevIndex: 3, prevTerm: 1, entries: [LogEntry(term: 1, index: 4, payload: [4])], commit: 3, sentAtTick: 2))))
        ready = node.ready()
        #expect(ready.entries.map(\.index) == [4])
        #expect(ready.committedEntries.map(\.index) == [3])
        #expect(ready.appliableBeforePersisting == 1)
        node.advance(ready)
    }

    @Test func aLeaderSendsItsAppendsBeforeItsOwnWriteButCountsItselfOnlyAfter() throws {
        // Three replicas; n2 and n3 grant every (pre-)vote n1 asks for.
        var leader = try RaftNode(config: Config(id: 1, peers: [1, 2, 3], randomSeed: 1))
        for _ in 0..<(2 * leader.config.electionTicks) where leader.role == .follower { leader.tick() }
        var ready = leader.ready()
        #expect(ready.earlyMessages.isEmpty, "vote requests wait for the durable vote")
        leader.advance(ready)
        var pending = ready.messages
        while leader.role != .leader, !pending.isEmpty {
            let request = pending.removeFirst()
            let grant: RaftMessage.Kind
            switch request.kind {
            case .preVote: grant = .preVoteResponse(granted: true)
            case .vote: grant = .voteResponse(granted: true)
            default: continue
            }
            leader.step(RaftMessage(from: request.to, to: 1, term: request.term, kind: grant))
            if leader.hasReady {
                ready = leader.ready()
                leader.advance(ready)
                pending += ready.messages
            }
        }
        #expect(leader.role == .leader)
        // Both followers take the new term's no-op, so they are replicating.
        for message in ready.earlyMessages + ready.messages { acknowledge(message, on: &leader) }
        if leader.hasReady { leader.advance(leader.ready()) }

        _ = leader.propose([9])
        ready = leader.ready()
        let lastIndex = ready.entries.last!.index
        #expect(Set(ready.earlyMessages.map(\.to)) == [2, 3])
        #expect(ready.earlyMessages.allSatisfy(\.isAppend) && !ready.messages.contains(where: \.isAppend))
        // n2 acknowledges before the leader's own write is confirmed: two replicas hold the
        // entry, but only one on disk, so it does not commit yet.
        acknowledge(ready.earlyMessages.first { $0.to == 2 }!, on: &leader)
        #expect(leader.commitIndex < lastIndex)
        leader.advance(ready)
        #expect(leader.commitIndex == lastIndex)
    }

    /// Steps the follower's acceptance of `message`, if it is an append.
    private func acknowledge(_ message: RaftMessage, on leader: inout RaftNode) {
        guard case .append(let request) = message.kind else { return }
        let response = AppendResponse(index: request.prevIndex + LogIndex(request.entries.count), echoedSentAtTick: request.sentAtTick)
        leader.step(RaftMessage(from: message.to, to: message.from, term: message.term, kind: .appendResponse(response)))
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
