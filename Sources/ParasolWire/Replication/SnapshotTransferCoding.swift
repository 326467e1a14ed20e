import NIOCore
import ParasolConsensus

/// The wire encoding of a snapshot transfer (Protocols/wire.md, "Replication messages"): a
/// chunk's fixed fields, the manifest and the data as length-prefixed bytes; the answer's fixed
/// fields, a status byte and the reason.
///
/// The data is the last field of a chunk so that the decoder hands it on as a slice of the frame.
extension ByteBuffer {
    mutating func writeWireSnapshotChunk(_ chunk: SnapshotChunk, deferringInto deferred: inout [DeferredBlock]?) {
        writeWireU64(chunk.from)
        writeWireU64(chunk.to)
        writeWireU64(chunk.term)
        writeWireSnapshotMeta(chunk.snapshot)
        writeWireU64(chunk.offset)
        writeWireU64(chunk.totalBytes)
        writeWireBytes(chunk.manifest)
        writeWireBytes(chunk.data, deferringInto: &deferred)
    }

    mutating func writeWireSnapshotChunkAck(_ ack: SnapshotChunkAck) {
        writeWireU64(ack.from)
        writeWireU64(ack.to)
        writeWireU64(ack.term)
        writeWireSnapshotMeta(ack.snapshot)
        writeWireU64(ack.nextOffset)
        writeWireU8(ack.status.rawValue)
        writeWireString(ack.reason)
    }
}

extension PayloadReader {
    /// Refuses a chunk whose bytes would end beyond `totalBytes`: a receiver sizes its file by it.
    mutating func readSnapshotChunk() throws(WireError) -> SnapshotChunk {
        let chunk = SnapshotChunk(
            from: try readNodeID("from").rawValue,
            to: try readNodeID("to").rawValue,
            term: try readU64("term"),
            snapshot: try readSnapshotMeta("snapshot"),
            offset: try readU64("offset"),
            totalBytes: try readU64("totalBytes"),
            manifest: try readBytes("manifest"),
            data: try readByteSlice("data"))
        let (end, overflow) = chunk.offset.addingReportingOverflow(UInt64(chunk.data.readableBytes))
        guard !overflow, end <= chunk.totalBytes else {
            throw malformed("data of \(chunk.data.readableBytes) bytes at offset \(chunk.offset) ends beyond totalBytes \(chunk.totalBytes)")
        }
        return chunk
    }

    mutating func readSnapshotChunkAck() throws(WireError) -> SnapshotChunkAck {
        let from = try readNodeID("from").rawValue
        let to = try readNodeID("to").rawValue
        let term = try readU64("term")
        let snapshot = try readSnapshotMeta("snapshot")
        let nextOffset = try readU64("nextOffset")
        let rawStatus = try readU8("status")
        guard let status = SnapshotChunkAck.Status(rawValue: rawStatus) else {
            throw malformed("status is \(rawStatus); must be 0 (receiving), 1 (installed) or 2 (rejected)")
        }
        return SnapshotChunkAck(
            from: from, to: to, term: term, snapshot: snapshot, nextOffset: nextOffset, status: status,
            reason: try readString("reason"))
    }
}
