import NIOCore

/// Records snapshot fields in order: little-endian integers and floats as their bit patterns go
/// into byte segments at once; float arrays are only *referenced* (Swift arrays are
/// copy-on-write), to be byte-shuffled (or copied plain) when the image is streamed.
///
/// Why reference: capturing a state of gigabytes then costs what its metadata costs, on the
/// event loop, and no second copy of the weights is ever held. A push that lands on a tensor
/// while its snapshot is being written copies that one array (copy-on-write) and leaves the
/// captured values untouched.
struct SnapshotWriter {
    private var segments: [SnapshotImage.Segment] = []
    private var bytes = ByteBuffer()
    let shufflesFloats: Bool

    init(shufflesFloats: Bool) {
        self.shufflesFloats = shufflesFloats
    }

    mutating func write<Integer: FixedWidthInteger>(_ value: Integer) {
        bytes.writeInteger(value, endianness: .little)
    }

    mutating func write(_ value: Float) {
        bytes.writeInteger(value.bitPattern, endianness: .little)
    }

    mutating func write(_ value: Bool) {
        bytes.writeInteger(UInt8(value ? 1 : 0))
    }

    mutating func writeBytes(_ bytes: some Collection<UInt8>) {
        self.bytes.writeBytes(bytes)
    }

    mutating func write(_ values: [UInt64]) {
        bytes.reserveCapacity(minimumWritableBytes: values.count * 8)
        for value in values {
            bytes.writeInteger(value, endianness: .little)
        }
    }

    /// Writes `array` as one float array. With `rowOrder`, the array is read as rows of
    /// `rowElements` floats and written in that order of row indices (sparse rows sorted by id).
    mutating func write(_ array: [Float], rowOrder: [Int]? = nil, rowElements: Int = 0) {
        guard !array.isEmpty else { return }
        closeBytes()
        segments.append(.floats(array, rowOrder: rowOrder, rowElements: rowElements))
    }

    /// The recorded image; the writer is spent.
    mutating func finish() -> SnapshotImage {
        closeBytes()
        return SnapshotImage(segments: segments, shufflesFloats: shufflesFloats)
    }

    private mutating func closeBytes() {
        guard bytes.readableBytes > 0 else { return }
        segments.append(.bytes(bytes))
        bytes = ByteBuffer()
    }
}
