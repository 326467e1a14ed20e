import NIOCore
import ParasolTensors
import ParasolWire
import Testing

/// Same commands in the same order give byte-identical states: the property a replicated log
/// relies on. Restoring from a snapshot midway and replaying the rest converges too.
@Suite struct DeterminismTests {
    @Test(arguments: [UInt64(1), 2, 0xC0FFEE])
    func twoStatesFedTheSameScriptAreIdentical(seed: UInt64) throws {
        let script = CommandScript(seed: seed, count: 600).commands
        let first = ShardState(shardID: 3)
        let second = ShardState(shardID: 3)
        var acks = 0
        var duplicates = 0
        var errors = 0
        for (position, command) in script.enumerated() {
            let index = UInt64(position * 2 + 1)  // indices need only grow, not be consecutive
            let reply = first.apply(command, index: index)
            #expect(second.apply(command, index: index) == reply, "seed \(seed) command \(position)")
            switch reply {
            case .pushAck(let ack): if ack.duplicate { duplicates += 1 } else { acks += 1 }
            case .error: errors += 1
            default: break
            }
            if position % 150 == 149 {
                #expect(first.snapshotBytes() == second.snapshotBytes(), "seed \(seed) after command \(position)")
            }
        }
        #expect(first.snapshotBytes() == second.snapshotBytes(), "seed \(seed)")
        #expect(acks > 100 && duplicates > 10 && errors > 10, "seed \(seed): script too tame: \(acks) acks, \(duplicates) duplicates, \(errors) errors")
    }

    @Test func restoringMidwayAndReplayingConverges() throws {
        let seed: UInt64 = 77
        let script = CommandScript(seed: seed, count: 500).commands
        let straight = ShardState(shardID: 0)
        for command in script { straight.applyNext(command) }

        let head = ShardState(shardID: 0)
        for command in script[..<250] { head.applyNext(command) }
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        head.encodeSnapshot(into: &buffer)
        let resumed = try ShardState.decodeSnapshot(&buffer)
        for command in script[250...] { resumed.applyNext(command) }
        #expect(resumed.snapshotBytes() == straight.snapshotBytes(), "seed \(seed)")
    }

    @Test func differentScriptsGiveDifferentStates() {
        let states = [UInt64(10), 11].map { seed in
            let state = ShardState(shardID: 0)
            for command in CommandScript(seed: seed, count: 200).commands { state.applyNext(command) }
            return state.snapshotBytes()
        }
        #expect(states[0] != states[1])
    }
}
