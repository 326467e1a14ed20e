import NIOCore
import ParasolConsensus

extension EntryPayload {
    /// Entries at least this large are kept as slices of the buffer they arrived in; smaller
    /// ones are copied into arrays of their own, so that a 64-byte push kept in the log does not
    /// keep a connection's whole receive buffer alive.
    public static let sliceBytesMin = 16 << 10

    /// `bytes`' readable bytes as an entry: the buffer itself, or a copy when it is small.
    public init(keeping bytes: ByteBuffer) {
        if bytes.readableBytes >= Self.sliceBytesMin {
            self.init(bytes)
        } else {
            self.init(Array(bytes.readableBytesView))
        }
    }

    /// The bytes as a buffer: the entry's own when it was made from one (a received frame, an
    /// encoded command), a copy otherwise.
    public var byteBuffer: ByteBuffer {
        if let buffer = storage as? ByteBuffer { return buffer }
        return withUnsafeBytes { ByteBuffer(bytes: $0) }
    }
}

/// A buffer's readable bytes can be a log entry's, so that an entry can be a slice of the frame
/// it arrived in.
extension ByteBuffer: EntryPayloadStorage {
    public var entryByteCount: Int { readableBytes }

    public func withUnsafeEntryBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeReadableBytes(body)
    }
}
