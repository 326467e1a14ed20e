import NIOCore
import ParasolTensors
import ParasolWire
import Testing

/// A push is applied at most once per (client, sequence), whatever order retries arrive in,
/// and the table forgets what the client acknowledged.
@Suite struct ExactlyOnceTests {
    private func counter() -> ShardState {
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create("n", shape: [1], optimizer: .sgd(learningRate: -1)))
        return state
    }

    @Test func aRetriedPushIsAnsweredButNotApplied() {
        let state = counter()
        expectAck(state.applyNext(Commands.pushDense("n", [1], sequence: 1)), version: 1)
        expectAck(state.applyNext(Commands.pushDense("n", [1], sequence: 1)), version: 1, duplicate: true)
        #expect(state.denseValues("n") == [1])
    }

    @Test func outOfOrderSequencesWithinTheWindowApplyOnceEach() {
        let state = counter()
        for (position, sequence) in [3, 1, 5, 2].enumerated() {
            expectAck(state.applyNext(Commands.pushDense("n", [1], sequence: UInt64(sequence))), version: UInt64(position + 1))
        }
        #expect(state.denseValues("n") == [4])
        for sequence: UInt64 in [5, 1, 3, 2] {
            expectAck(state.applyNext(Commands.pushDense("n", [1], sequence: sequence)), version: 4, duplicate: true)
        }
        expectAck(state.applyNext(Commands.pushDense("n", [1], sequence: 4)), version: 5)
        #expect(state.denseValues("n") == [5])
    }

    @Test func clientsAreIndependent() {
        let state = counter()
        expectAck(state.applyNext(Commands.pushDense("n", [1], client: 1, sequence: 1)), version: 1)
        expectAck(state.applyNext(Commands.pushDense("n", [1], client: 2, sequence: 1)), version: 2)
        expectAck(state.applyNext(Commands.pushDense("n", [1], client: 2, sequence: 1)), version: 2, duplicate: true)
    }

    /// Raising the floor forgets sequences below it (anything below is a duplicate by promise)
    /// and keeps the ones at or above it; the floor never falls.
    @Test func theFloorAdvancesAndBoundsTheTable() {
        let state = counter()
        for sequence: UInt64 in 1...6 {
            state.applyNext(Commands.pushDense("n", [1], sequence: sequence))
        }
        let beforeFloor = state.snapshotBytes().count
        expectAck(state.applyNext(Commands.pushDense("n", [1], sequence: 8, acknowledgedBelow: 5)), version: 7)
        // Sequences 1–4 are forgotten: 8 bytes each, minus the one recorded for 8.
        #expect(state.snapshotBytes().count == beforeFloor - 4 * 8 + 8)
        expectAck(state.applyNext(Commands.pushDense("n", [1], sequence: 2)), version: 7, duplicate: true)
        expectAck(state.applyNext(Commands.pushDense("n", [1], sequence: 6)), version: 7, duplicate: true)
        // A lower acknowledgedBelow later does not lower the floor.
        expectAck(state.applyNext(Commands.pushDense("n", [1], sequence: 7, acknowledgedBelow: 1)), version: 8)
        expectAck(state.applyNext(Commands.pushDense("n", [1], sequence: 3, acknowledgedBelow: 1)), version: 8, duplicate: true)
        #expect(state.denseValues("n") == [8])
    }

    @Test func aDuplicateCarriesAFloorToo() {
        let state = counter()
        for sequence: UInt64 in 1...3 {
            state.applyNext(Commands.pushDense("n", [1], sequence: sequence))
        }
        let before = state.snapshotBytes().count
        expectAck(state.applyNext(Commands.pushDense("n", [1], sequence: 3, acknowledgedBelow: 4)), version: 3, duplicate: true)
        #expect(state.snapshotBytes().count == before - 3 * 8)
    }

    /// Protocols/wire.md, section 9: the floor rises before the duplicate check, so a push below
    /// its own `acknowledgedBelow` is a duplicate, even from a client never seen before.
    @Test func aPushBelowItsOwnFloorIsADuplicate() {
        let state = counter()
        expectAck(state.applyNext(Commands.pushDense("n", [1], client: 5, sequence: 3, acknowledgedBelow: 4)), version: 0, duplicate: true)
        expectAck(state.applyNext(Commands.pushDense("n", [1], client: 5, sequence: 4, acknowledgedBelow: 4)), version: 1)
        expectAck(state.applyNext(Commands.pushDense("n", [1], client: 5, sequence: 3)), version: 1, duplicate: true)
        #expect(state.denseValues("n") == [1])
    }

    @Test func sparsePushesAreSuppressedToo() {
        let state = ShardState(shardID: 0)
        state.applyNext(Commands.create("e", .sparse, shape: [10, 2], optimizer: .sgd(learningRate: -1)))
        expectAck(state.applyNext(Commands.pushSparse("e", rows: [1], [1, 1], sequence: 9)), version: 1)
        expectAck(state.applyNext(Commands.pushSparse("e", rows: [1], [1, 1], sequence: 9)), version: 1, duplicate: true)
        #expect(state.sparseValues("e", rows: [1]) == [1, 1])
    }

    /// A failed push records nothing: its retry fails again rather than being called a duplicate.
    @Test func aFailedPushIsNotRecorded() {
        let state = counter()
        expectError(state.applyNext(Commands.pushDense("n", [1, 1], sequence: 1)), .shapeMismatch)
        expectError(state.applyNext(Commands.pushDense("n", [1, 1], sequence: 1)), .shapeMismatch)
        expectAck(state.applyNext(Commands.pushDense("n", [1], sequence: 1)), version: 1)
    }

    /// A client whose floor lags `clientWindowMax` sequences behind is refused until it raises
    /// the floor, so one client cannot grow the table without bound.
    @Test func aFullWindowIsRefusedUntilTheFloorRises() {
        let state = counter()
        let window = UInt64(ShardLimits.clientWindowMax)
        for sequence in 1...window {
            state.applyNext(Commands.pushDense("n", [1], sequence: sequence, misalignment: 0))
        }
        expectError(
            state.applyNext(Commands.pushDense("n", [1], sequence: window + 1)), .unavailable,
            mentioning: ["client 1", "acknowledgedBelow"])
        expectAck(state.applyNext(Commands.pushDense("n", [1], sequence: window + 1, acknowledgedBelow: 2)), version: window + 1)
        #expect(state.denseValues("n") == [Float(window + 1)])
    }
}
