import Testing

@testable import ParasolConsensus

/// `step` on inputs a shell may hand over by mistake or from a stale peer.
@Suite struct StepInputTests {
    static func follower(term: Term = 2) throws -> RaftNode {
        try RaftNode(config: Config(id: 1, peers: [1, 2, 3], randomSeed: 1),
                     restoring: PersistedState(hardState: HardState(term: term)))
    }

    @Test func misroutedAndForeignMessagesAreIgnored() throws {
        var node = try Self.follower()
        let heartbeat = RaftMessage.Kind.heartbeat(Heartbeat(commit: 0, sentAtTick: 1))
        node.step(RaftMessage(from: 2, to: 3, term: 5, kind: heartbeat))
        node.step(RaftMessage(from: 9, to: 1, term: 5, kind: heartbeat))
        node.step(RaftMessage(from: 1, to: 1, term: 5, kind: heartbeat))
        #expect(node.term == 2)
        #expect(node.leader == nil)
        #expect(!node.hasReady)
    }

    /// A deposed leader still heartbeating in an old term is told the current term, so it steps
    /// down; the answer carries no lease echo (it proves nothing about that leader's lease).
    @Test func staleLeaderLearnsTheNewTerm() throws {
        var node = try Self.follower(term: 4)
        node.step(RaftMessage(from: 2, to: 1, term: 3, kind: .heartbeat(Heartbeat(commit: 0, sentAtTick: 7))))
        let ready = node.ready()
        #expect(ready.messages == [RaftMessage(from: 1, to: 2, term: 4,
                                              kind: .appendResponse(AppendResponse(index: 0, echoedSentAtTick: nil)))])
    }

    /// A follower answers a heartbeat after persisting, echoing the send tick for the lease.
    @Test func heartbeatIsAnsweredWithItsSendTick() throws {
        var node = try Self.follower(term: 4)
        node.step(RaftMessage(from: 2, to: 1, term: 4, kind: .heartbeat(Heartbeat(commit: 0, sentAtTick: 7))))
        #expect(node.leader == 2)
        let ready = node.ready()
        #expect(ready.messages == [RaftMessage(from: 1, to: 2, term: 4, kind: .heartbeatResponse(echoedSentAtTick: 7))])
        #expect(ready.softState == SoftState(role: .follower, leader: 2))
    }
}
