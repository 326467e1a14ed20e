import NIOCore
import ParasolWire

/// An embedding table of shape `[rowCount, rowDimension]` whose rows exist only once pushed.
///
/// Rows are stored contiguously in slots (in the order they were first pushed) with a
/// dictionary from row id to slot; the optimizer's slot arrays use the same layout and Adam
/// keeps a step count per slot. An untouched row reads as its initializer's values for
/// `(seed, rowID)`, computed on the fly: pulls are reads and never change the state, so every
/// replica holds the same rows whatever it served.
final class SparseTable {
    let definition: TensorDefinition
    let rowCount: UInt64
    let rowDimension: Int
    private(set) var version: UInt64
    /// `slotRowIDs.count × rowDimension` weights, slot after slot.
    private(set) var weights: [Float]
    /// The row id held in each slot.
    private(set) var slotRowIDs: [UInt64]
    private var slotByRowID: [UInt64: Int]
    let optimizer: any TensorOptimizer

    /// An empty table, version 0.
    init(definition: TensorDefinition, rowCount: UInt64, rowDimension: Int) {
        self.definition = definition
        self.rowCount = rowCount
        self.rowDimension = rowDimension
        self.version = 0
        self.weights = []
        self.slotRowIDs = []
        self.slotByRowID = [:]
        self.optimizer = definition.optimizer.makeOptimizer(rowCount: 0, rowElements: rowDimension)
    }

    /// A table exactly as a snapshot recorded it; slot `i` holds `slotRowIDs[i]`.
    init(
        restoring definition: TensorDefinition, rowCount: UInt64, rowDimension: Int, version: UInt64,
        slotRowIDs: [UInt64], weights: [Float], optimizer: any TensorOptimizer
    ) {
        precondition(weights.count == slotRowIDs.count * rowDimension, "restored weights do not match the row count")
        self.definition = definition
        self.rowCount = rowCount
        self.rowDimension = rowDimension
        self.version = version
        self.weights = weights
        self.slotRowIDs = slotRowIDs
        self.slotByRowID = Dictionary(uniqueKeysWithValues: slotRowIDs.enumerated().map { ($1, $0) })
        self.optimizer = optimizer
    }

    var materializedRowCount: Int { slotRowIDs.count }

    // MARK: Push

    /// Checks a push of `gradientBytes` bytes for `rowIDs` without changing anything.
    func checkPush(rowIDs: [UInt64], gradientBytes: Int) throws(ErrorReply) {
        let name = definition.name
        guard !rowIDs.isEmpty else {
            throw ShardFailure.shapeMismatch("sparse push to table '\(name)' names no rows")
        }
        let expectedBytes = rowIDs.count.multipliedReportingOverflow(by: rowDimension * 4)
        guard !expectedBytes.overflow, gradientBytes == expectedBytes.partialValue else {
            throw ShardFailure.shapeMismatch(
                "sparse push to table '\(name)' carries \(gradientBytes) gradient bytes; \(rowIDs.count) rows of dimension \(rowDimension) need \(rowIDs.count) × \(rowDimension) × 4")
        }
        try checkRowIDs(rowIDs)
        var newRows = Set<UInt64>()
        for rowID in rowIDs where slotByRowID[rowID] == nil {
            newRows.insert(rowID)
        }
        let rowsAfter = slotRowIDs.count + newRows.count
        guard rowsAfter <= ShardLimits.tensorElementsMax / rowDimension else {
            throw ShardFailure.tooLarge(
                "sparse table '\(name)' would hold \(rowsAfter) rows of dimension \(rowDimension), more than the limit of \(ShardLimits.tensorElementsMax) elements")
        }
    }

    /// Applies one gradient row per entry of `rowIDs` (checked by `checkPush`), in request order,
    /// creating untouched rows first, and returns the new version.
    func applyPush(rowIDs: [UInt64], gradients: ByteBuffer) -> UInt64 {
        let slots = rowIDs.map { slotByRowID[$0] ?? materialize($0) }
        let dimension = rowDimension
        gradients.withUnsafeReadableBytes { gradientBytes in
            weights.withUnsafeMutableBufferPointer { weightBuffer in
                for (position, slot) in slots.enumerated() {
                    let start = slot * dimension
                    optimizer.apply(
                        gradient: gradientBytes.baseAddress! + position * dimension * 4, to: weightBuffer.baseAddress!,
                        elements: start..<(start + dimension), row: slot, startsRow: true)
                }
            }
        }
        version += 1
        return version
    }

    private func materialize(_ rowID: UInt64) -> Int {
        let slot = slotRowIDs.count
        let start = weights.count
        weights.append(contentsOf: repeatElement(0, count: rowDimension))
        weights.withUnsafeMutableBufferPointer { buffer in
            definition.initializer.fill(UnsafeMutableBufferPointer(rebasing: buffer[start...]), rowID: rowID)
        }
        optimizer.appendRows(1, rowElements: rowDimension)
        slotRowIDs.append(rowID)
        slotByRowID[rowID] = slot
        return slot
    }

    // MARK: Pull

    /// Checks a pull of `rowIDs` without reading anything.
    func checkPull(rowIDs: [UInt64]) throws(ErrorReply) {
        let (bytes, overflow) = rowIDs.count.multipliedReportingOverflow(by: rowDimension * 4)
        guard !overflow, bytes <= ShardLimits.pullBytesMax else {
            throw ShardFailure.tooLarge(
                "pull of \(rowIDs.count) rows of dimension \(rowDimension) from table '\(definition.name)' exceeds \(ShardLimits.pullBytesMax) bytes; pull fewer rows at a time")
        }
        try checkRowIDs(rowIDs)
    }

    /// The rows `rowIDs` (checked by `checkPull`) in request order, little-endian float32.
    func read(rowIDs: [UInt64], allocator: ByteBufferAllocator) -> ByteBuffer {
        let rowBytes = rowDimension * 4
        var buffer = allocator.buffer(capacity: rowIDs.count * rowBytes)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: rowIDs.count * rowBytes) { target in
            weights.withUnsafeBytes { stored in
                for (position, rowID) in rowIDs.enumerated() {
                    let destination = target.baseAddress! + position * rowBytes
                    if let slot = slotByRowID[rowID] {
                        destination.copyMemory(from: stored.baseAddress! + slot * rowBytes, byteCount: rowBytes)
                    } else {
                        let row = destination.bindMemory(to: Float.self, capacity: rowDimension)
                        definition.initializer.fill(UnsafeMutableBufferPointer(start: row, count: rowDimension), rowID: rowID)
                    }
                }
            }
            return rowIDs.count * rowBytes
        }
        return buffer
    }

    private func checkRowIDs(_ rowIDs: [UInt64]) throws(ErrorReply) {
        if let bad = rowIDs.first(where: { $0 >= rowCount }) {
            throw ShardFailure.shapeMismatch(
                "row id \(bad) is out of range for sparse table '\(definition.name)' of \(rowCount) rows")
        }
    }
}
