/// One minibatch of sparse examples reduced to its distinct buckets: the rows to pull and push
/// once each, however many examples share them.
struct SparseBatch {
    /// Distinct bucket ids in first-seen order.
    let rowIDs: [UInt64]
    /// For each example of the batch and each of its fields, the index into `rowIDs`.
    let slots: [Int]
    /// Indices of the batch's examples in `SparseExamples`.
    let examples: [Int]

    init(_ source: SparseExamples, examples: some Collection<Int>) {
        var slotOfRow = [UInt64: Int](minimumCapacity: examples.count * source.fieldCount)
        var rowIDs = [UInt64]()
        var slots = [Int]()
        slots.reserveCapacity(examples.count * source.fieldCount)
        for example in examples {
            for bucket in source.buckets[(example * source.fieldCount)..<((example + 1) * source.fieldCount)] {
                if let slot = slotOfRow[bucket] {
                    slots.append(slot)
                } else {
                    slotOfRow[bucket] = rowIDs.count
                    slots.append(rowIDs.count)
                    rowIDs.append(bucket)
                }
            }
        }
        self.rowIDs = rowIDs
        self.slots = slots
        self.examples = Array(examples)
    }

    /// The model's log-odds for each example given the pulled row weights and the bias.
    func logits(rowWeights: [Float], bias: Float, fieldCount: Int) -> [Float] {
        precondition(rowWeights.count == rowIDs.count, "\(rowWeights.count) weights for \(rowIDs.count) rows")
        return (0..<examples.count).map { position in
            slots[(position * fieldCount)..<((position + 1) * fieldCount)].reduce(bias) { $0 + rowWeights[$1] }
        }
    }
}
