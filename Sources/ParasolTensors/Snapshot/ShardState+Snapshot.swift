import NIOCore
import ParasolWire

extension ShardState {
    /// The whole state as of now, in the layout of `Protocols/snapshot.md`: header,
    /// exactly-once table, then every tensor sorted by name with weights and optimizer slots.
    /// Cheap: float arrays are referenced, not copied (see `SnapshotWriter`), so it can run on
    /// the event loop and the image be streamed elsewhere while pushes go on.
    ///
    /// Deterministic: equal states give equal bytes (clients, tensors and sparse rows are written
    /// in sorted order), and `encode(decode(bytes)) == bytes`. Float arrays are byte-shuffled
    /// unless `shuffleFloats` is false (the header records which; plain is for inspection tools).
    public func snapshotImage(shuffleFloats: Bool = true) -> SnapshotImage {
        var writer = SnapshotWriter(shufflesFloats: shuffleFloats)
        writer.writeBytes(SnapshotFormat.magic)
        writer.write(SnapshotFormat.formatVersion)
        writer.write(shuffleFloats ? SnapshotFormat.shuffledFlags : 0)
        writer.write(shardID)
        writer.write(appliedIndex)
        exactlyOnce.encode(into: &writer)
        writer.write(UInt32(tensors.count))
        for name in tensorNames {
            let tensor = tensors[name]!
            tensor.definition.encode(into: &writer)
            writer.write(tensor.version)
            switch tensor {
            case .dense(let dense): dense.encode(into: &writer)
            case .sparse(let table): table.encode(into: &writer)
            }
        }
        return writer.finish()
    }

    /// Appends the whole layout of `snapshotImage` to `buffer`.
    public func encodeSnapshot(into buffer: inout ByteBuffer, shuffleFloats: Bool = true) {
        let image = snapshotImage(shuffleFloats: shuffleFloats)
        buffer.reserveCapacity(minimumWritableBytes: image.byteCount)
        // `stream` throws only what its sink throws, and this one cannot.
        try! image.stream(chunkBytes: 1 << 20) { buffer.writeBytes($0) }
    }

    /// Rebuilds a state from bytes `encodeSnapshot` wrote, consuming them all.
    ///
    /// Validates everything before trusting it: magic, version, flags, every length against the
    /// bytes that remain and every count against `ShardLimits` (before allocating), tags, UTF-8,
    /// every tensor definition as `createTensor` would, sort orders, and no trailing bytes.
    /// On failure `buffer` is left untouched.
    public static func decodeSnapshot(_ buffer: inout ByteBuffer) throws(SnapshotDecodeError) -> ShardState {
        var header = SnapshotReader(buffer: buffer)
        let magic = try header.readBytes(count: SnapshotFormat.magic.count, "header magic")
        guard magic == SnapshotFormat.magic else { throw .badMagic(found: magic) }
        let version = try header.read(UInt16.self, "header format version")
        guard SnapshotFormat.readableVersions.contains(version) else {
            throw .unsupportedFormatVersion(found: version, supported: SnapshotFormat.formatVersion)
        }
        let flags = try header.read(UInt16.self, "header flags")
        let known = SnapshotFormat.knownFlags(inVersion: version)
        guard flags & ~known == 0 else { throw .unknownFlags(flags & ~known) }
        let shuffled = flags & SnapshotFormat.floatsByteShuffledFlag != 0
        let inBlocks = flags & SnapshotFormat.floatsShuffledInBlocksFlag != 0
        let bitPlanes = flags & SnapshotFormat.signExponentBitPlanesFlag != 0
        // Blocks of a shuffle that is not there, or bit planes of blocks that are not there: no
        // writer sets that, so the header is damaged.
        guard shuffled || !inBlocks else { throw .unknownFlags(SnapshotFormat.floatsShuffledInBlocksFlag) }
        guard inBlocks || !bitPlanes else { throw .unknownFlags(SnapshotFormat.signExponentBitPlanesFlag) }
        var reader = SnapshotReader(
            buffer: header.buffer, floatsAreShuffled: shuffled, shuffleBlockFloats: inBlocks ? SnapshotFormat.shuffleBlockFloats : nil,
            signExponentBitPlanes: bitPlanes)
        let shardID = try reader.read(UInt32.self, "header shard id")
        let appliedIndex = try reader.read(UInt64.self, "header applied index")
        let exactlyOnce = try ExactlyOnceTable.decode(from: &reader, formatVersion: version, appliedIndex: appliedIndex)
        let tensors = try decodeTensors(from: &reader)
        try reader.requireEnd()
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return ShardState(shardID: shardID, appliedIndex: appliedIndex, tensors: tensors, exactlyOnce: exactlyOnce)
    }

    private static func decodeTensors(from reader: inout SnapshotReader) throws(SnapshotDecodeError) -> [String: StoredTensor] {
        let tensorCount = try reader.readCount(UInt32.self, limit: ShardLimits.tensorsMax, "tensor count")
        var tensors: [String: StoredTensor] = [:]
        var previousName: String?
        for position in 0..<tensorCount {
            let definition = try TensorDefinition.decode(from: &reader, position: position)
            let name = definition.name
            if let previousName, !snapshotOrder(previousName, name) {
                throw .invalidValue(
                    field: "tensor \(position) name", reason: "'\(name)' follows '\(previousName)'; names must ascend strictly by UTF-8 bytes")
            }
            previousName = name
            guard tensors[name] == nil else {
                throw .invalidValue(field: "tensor \(position) name", reason: "'\(name)' is canonically equal to an earlier name")
            }
            let layout: TensorDefinition.Layout
            do {
                layout = try definition.validate()
            } catch {
                throw .invalidTensorDefinition(name: name, reason: error.message)
            }
            let version = try reader.read(UInt64.self, "tensor '\(name)' version")
            switch layout {
            case .dense(let elementCount):
                tensors[name] = .dense(try DenseTensor.decode(
                    definition: definition, elementCount: elementCount, version: version, from: &reader))
            case let .sparse(rowCount, rowDimension):
                tensors[name] = .sparse(try SparseTable.decode(
                    definition: definition, rowCount: rowCount, rowDimension: rowDimension, version: version, from: &reader))
            }
        }
        return tensors
    }
}
