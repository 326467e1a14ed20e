import NIOCore
import ParasolTensors
import ParasolWire
import Testing

/// Client sessions expire by the log: a client silent for `sessionExpiryEntries` entries is
/// forgotten at the next sweep boundary, on every replica at the same entry, whatever the clock.
@Suite struct SessionExpiryTests {
    private let expiry = ShardLimits.sessionExpiryEntries
    private let sweep = ShardLimits.sessionSweepEntries

    /// Shard with counter "n"; client 1 pushes sequence 1 at index 2, client 2 keeps pushing.
    private func replica(activeClientEvery step: UInt64, until last: UInt64) -> ShardState {
        let state = ShardState(shardID: 0)
        state.apply(Commands.create("n", shape: [1], optimizer: .sgd(learningRate: -1)), index: 1)
        state.apply(Commands.pushDense("n", [1], client: 1, sequence: 1), index: 2)
        var sequence: UInt64 = 1
        var index = step
        while index <= last {
            state.apply(Commands.pushDense("n", [1], client: 2, sequence: sequence), index: index)
            sequence += 1
            index += step
        }
        return state
    }

    @Test func aSilentClientIsForgottenAfterTheExpiryAndAnActiveOneIsNot() {
        // Entries jump by a sweep interval: every push crosses a sweep boundary.
        let justBefore = replica(activeClientEvery: sweep, until: expiry)
        #expect(justBefore.summary.clientCount == 2, "client 1 is not yet \(expiry) entries silent")

        let after = replica(activeClientEvery: sweep, until: expiry + 2 * sweep)
        #expect(after.summary.clientCount == 1, "client 1 was silent for more than \(expiry) entries")
        // Its session is gone: the same push is new again (the documented cost of expiry).
        let retried = after.apply(Commands.pushDense("n", [1], client: 1, sequence: 1), index: expiry + 3 * sweep)
        guard case .pushAck(let ack) = retried else {
            Issue.record("expected a push ack, got \(retried)")
            return
        }
        #expect(!ack.duplicate)
        // Client 2 pushed within the window every time and is still remembered.
        let duplicate = after.apply(Commands.pushDense("n", [1], client: 2, sequence: 1), index: expiry + 4 * sweep)
        guard case .pushAck(let again) = duplicate else {
            Issue.record("expected a push ack, got \(duplicate)")
            return
        }
        #expect(again.duplicate)
    }

    @Test func expiryIsTheSameOnEveryReplicaAndSurvivesASnapshot() throws {
        let first = replica(activeClientEvery: sweep, until: expiry + 2 * sweep)
        let second = replica(activeClientEvery: sweep, until: expiry + 2 * sweep)
        #expect(first.snapshotBytes() == second.snapshotBytes())
        var buffer = ByteBuffer(bytes: first.snapshotBytes())
        let restored = try ShardState.decodeSnapshot(&buffer)
        #expect(restored.snapshotBytes() == first.snapshotBytes())
        #expect(restored.summary.clientCount == 1)
    }
}
