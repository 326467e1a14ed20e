extension SparseTable {
    /// Materialized row count, row ids ascending, Adam's step per row (Adam only), weights, then
    /// each optimizer slot array; every per-row item in ascending row-id order, whatever order
    /// the rows were created in, so equal tables encode to equal bytes.
    func encode(into writer: inout SnapshotWriter) {
        let order = slotRowIDs.indices.sorted { slotRowIDs[$0] < slotRowIDs[$1] }
        writer.write(UInt64(order.count))
        writer.write(order.map { slotRowIDs[$0] })
        let steps = optimizer.rowSteps
        writer.write(steps.isEmpty ? [] : order.map { steps[$0] })
        writer.write(weights, rowOrder: order, rowElements: rowDimension)
        for slots in optimizer.slotArrays {
            writer.write(slots, rowOrder: order, rowElements: rowDimension)
        }
    }

    /// Reads the body `encode` wrote for a validated `definition`; restored rows occupy slots in
    /// ascending row-id order.
    static func decode(
        definition: TensorDefinition, rowCount: UInt64, rowDimension: Int, version: UInt64,
        from reader: inout SnapshotReader
    ) throws(SnapshotDecodeError) -> SparseTable {
        let label = "sparse table '\(definition.name)'"
        let materialized = try reader.readCount(
            UInt64.self, limit: ShardLimits.tensorElementsMax / rowDimension, "\(label) materialized row count")
        let rowIDs = try reader.readUInt64s(count: materialized, "\(label) row ids")
        var previous: UInt64?
        for rowID in rowIDs {
            guard rowID < rowCount else {
                throw .invalidValue(field: "\(label) row ids", reason: "row id \(rowID) is not below the row count \(rowCount)")
            }
            if let previous, rowID <= previous {
                throw .invalidValue(field: "\(label) row ids", reason: "row id \(rowID) follows \(previous); ids must ascend strictly")
            }
            previous = rowID
        }
        let steps = try reader.readUInt64s(
            count: definition.optimizer.keepsRowSteps ? materialized : 0, "\(label) adam steps")
        let elementCount = materialized * rowDimension
        let weights = try reader.readFloats(count: elementCount, "\(label) weights")
        var slotArrays: [[Float]] = []
        for slotName in definition.optimizer.slotArrayNames {
            slotArrays.append(try reader.readFloats(count: elementCount, "\(label) \(slotName)"))
        }
        return SparseTable(
            restoring: definition, rowCount: rowCount, rowDimension: rowDimension, version: version,
            slotRowIDs: rowIDs, weights: weights,
            optimizer: definition.optimizer.restoreOptimizer(slotArrays: slotArrays, rowSteps: steps))
    }
}
