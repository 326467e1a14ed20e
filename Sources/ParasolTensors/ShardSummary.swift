/// What a shard holds, in numbers a health endpoint can show without reading any weights.
public struct ShardSummary: Sendable, Equatable {
    public var shardID: UInt32
    public var appliedIndex: UInt64
    public var tensorCount: Int
    /// Sparse rows that have been pushed at least once (untouched rows take no memory).
    public var materializedRowCount: Int
    /// Bytes of float32 weights across every tensor.
    public var weightBytes: Int
    /// Bytes of optimizer state: momentum buffers, Adam moments and step counts, AdaGrad accumulators.
    public var optimizerSlotBytes: Int
    /// Clients the exactly-once table remembers.
    public var clientCount: Int

    /// Weights plus optimizer state: roughly the memory the shard's tensors take, and the size
    /// of a snapshot before compression.
    public var totalBytes: Int { weightBytes + optimizerSlotBytes }

    public init(
        shardID: UInt32, appliedIndex: UInt64, tensorCount: Int, materializedRowCount: Int, weightBytes: Int,
        optimizerSlotBytes: Int, clientCount: Int
    ) {
        self.shardID = shardID
        self.appliedIndex = appliedIndex
        self.tensorCount = tensorCount
        self.materializedRowCount = materializedRowCount
        self.weightBytes = weightBytes
        self.optimizerSlotBytes = optimizerSlotBytes
        self.clientCount = clientCount
    }
}
