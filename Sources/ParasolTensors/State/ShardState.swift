import NIOCore
import ParasolWire

/// The deterministic state machine of one shard: its tensors, their optimizer state and the
/// exactly-once table.
///
/// `apply(_:index:)` is the only way the state changes, so a replicated log that feeds every
/// replica the same commands in the same order gets byte-identical states (and snapshots) on
/// all of them. Nothing here reads a clock, a file or unseeded randomness, and float results do
/// not depend on libm. Reads (`pullDense`, `pullSparse`, `describe`) never change anything.
///
/// Not thread-safe and not `Sendable`: one serial executor owns it.
public final class ShardState {
    public let shardID: UInt32
    /// The index of the last command applied (0 before the first).
    public private(set) var appliedIndex: UInt64
    var tensors: [String: StoredTensor]
    var exactlyOnce: ExactlyOnceTable

    public init(shardID: UInt32) {
        self.shardID = shardID
        self.appliedIndex = 0
        self.tensors = [:]
        self.exactlyOnce = ExactlyOnceTable()
    }

    /// A state exactly as a snapshot recorded it.
    init(shardID: UInt32, appliedIndex: UInt64, tensors: [String: StoredTensor], exactlyOnce: ExactlyOnceTable) {
        self.shardID = shardID
        self.appliedIndex = appliedIndex
        self.tensors = tensors
        self.exactlyOnce = exactlyOnce
    }

    // MARK: Commands

    /// Applies one command and returns the reply for the client that sent it: `.tensorCreated`,
    /// `.pushAck` or `.error`.
    ///
    /// `index` must be above `appliedIndex` (a precondition: the log hands out increasing
    /// indices) and becomes the new `appliedIndex`. A command that fails advances
    /// `appliedIndex` and changes nothing else, so its replay fails the same way.
    @discardableResult
    public func apply(_ command: ShardCommand, index: UInt64) -> Message {
        precondition(
            index > appliedIndex,
            "shard \(shardID): command index \(index) is not after the applied index \(appliedIndex)")
        let sweep = ShardLimits.sessionSweepEntries
        if index / sweep > appliedIndex / sweep, index > ShardLimits.sessionExpiryEntries {
            exactlyOnce.expire(inactiveBefore: index - ShardLimits.sessionExpiryEntries)
        }
        appliedIndex = index
        do throws(ErrorReply) {
            switch command {
            case .createTensor(let create):
                return .tensorCreated(try createTensor(create))
            case .pushDense(let push):
                return .pushAck(try pushDense(push))
            case .pushSparse(let push):
                return .pushAck(try pushSparse(push))
            }
        } catch {
            return .error(error)
        }
    }

    // MARK: Reads

    /// Names of every tensor, sorted.
    public var tensorNames: [String] {
        tensors.keys.sorted(by: Self.snapshotOrder)
    }

    /// Counts and sizes for health reporting.
    public var summary: ShardSummary {
        var weightBytes = 0
        var slotBytes = 0
        var rows = 0
        for tensor in tensors.values {
            weightBytes += tensor.weightBytes
            slotBytes += tensor.optimizer.slotBytes
            rows += tensor.materializedRowCount
        }
        return ShardSummary(
            shardID: shardID, appliedIndex: appliedIndex, tensorCount: tensors.count, materializedRowCount: rows,
            weightBytes: weightBytes, optimizerSlotBytes: slotBytes, clientCount: exactlyOnce.clients.count)
    }

    /// `.tensorInfo` for `name`, or `.error(unknownTensor)`.
    public func describe(_ name: String) -> Message {
        guard let tensor = tensors[name] else { return .error(ShardFailure.unknownTensor(name, shardID: shardID)) }
        let definition = tensor.definition
        return .tensorInfo(TensorInfo(
            name: definition.name, kind: definition.kind, shape: definition.shape, version: tensor.version,
            optimizer: definition.optimizer))
    }

    func lookUp(_ name: String) throws(ErrorReply) -> StoredTensor {
        guard let tensor = tensors[name] else { throw ShardFailure.unknownTensor(name, shardID: shardID) }
        return tensor
    }

    /// The one order names are listed and snapshotted in: by UTF-8 bytes, independent of locale
    /// and of Unicode collation.
    static func snapshotOrder(_ left: String, _ right: String) -> Bool {
        left.utf8.lexicographicallyPrecedes(right.utf8)
    }
}

@available(*, unavailable)
extension ShardState: Sendable {}
