extension DenseTensor {
    /// Element count, Adam's step (Adam only), weights, then each optimizer slot array.
    func encode(into writer: inout SnapshotWriter) {
        writer.write(UInt64(weights.count))
        writer.write(optimizer.rowSteps)
        writer.write(weights)
        for slots in optimizer.slotArrays {
            writer.write(slots)
        }
    }

    /// Reads the body `encode` wrote for a validated `definition` of `elementCount` elements.
    static func decode(
        definition: TensorDefinition, elementCount: Int, version: UInt64, from reader: inout SnapshotReader
    ) throws(SnapshotDecodeError) -> DenseTensor {
        let label = "tensor '\(definition.name)'"
        let recordedCount = try reader.read(UInt64.self, "\(label) element count")
        guard recordedCount == UInt64(elementCount) else {
            throw .invalidValue(
                field: "\(label) element count",
                reason: "\(recordedCount) elements recorded, but shape \(definition.shape) has \(elementCount)")
        }
        let steps = try reader.readUInt64s(count: definition.optimizer.keepsRowSteps ? 1 : 0, "\(label) adam step")
        let weights = try reader.readFloats(count: elementCount, "\(label) weights")
        var slotArrays: [[Float]] = []
        for slotName in definition.optimizer.slotArrayNames {
            slotArrays.append(try reader.readFloats(count: elementCount, "\(label) \(slotName)"))
        }
        return DenseTensor(
            restoring: definition, version: version, weights: weights,
            optimizer: definition.optimizer.restoreOptimizer(slotArrays: slotArrays, rowSteps: steps))
    }
}
