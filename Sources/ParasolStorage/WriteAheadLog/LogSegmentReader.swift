import Glibc
import NIOCore
import ParasolConsensus

/// Reads one segment file front to back, yielding records whose length and CRC check out.
///
/// The file is read in chunks into one window buffer that is compacted and refilled in place,
/// so a 64 MiB segment costs a 1 MiB buffer, not 64 MiB of fresh memory. Payloads are slices of
/// that window: a caller that keeps one only makes the next refill copy the window's tail.
final class LogSegmentReader {
    enum Step {
        case record(LogRecord, offsetBytes: Int, recordBytes: Int)
        case endOfSegment
        /// The bytes at `offsetBytes` are not a valid record; nothing after it was read.
        case damaged(offsetBytes: Int, reason: String)
    }

    static let chunkBytes = 1 << 20

    let path: String
    /// Where reading stops: the file size, or the end of the bytes known to be durable.
    let endBytes: Int
    private let fd: Int32
    private let recordBytesMax: Int
    private var window: ByteBuffer
    /// The file offset of the window's first readable byte.
    private var windowOffsetBytes = 0
    /// The file offset of the next byte to read into the window.
    private var fileOffsetBytes = 0

    /// Opens `path`; reads stop at `endBytes` if given, otherwise at the current end of the file.
    init(path: String, endBytes: Int? = nil, recordBytesMax: Int) throws {
        self.path = path
        self.fd = try FileIO.openForReading(path)
        do {
            let fileBytes = try FileIO.fileSize(fd, path: path)
            self.endBytes = min(endBytes ?? fileBytes, fileBytes)
        } catch {
            FileIO.close(fd)
            throw error
        }
        self.recordBytesMax = recordBytesMax
        self.window = ByteBufferAllocator().buffer(capacity: min(Self.chunkBytes, self.endBytes))
    }

    deinit {
        FileIO.close(fd)
    }

    func next() throws -> Step {
        while true {
            let offset = windowOffsetBytes
            if window.readableBytes == 0 && fileOffsetBytes >= endBytes {
                return .endOfSegment
            }
            let decoding = window.withUnsafeReadableBytes { LogRecordCodec.decode($0, recordBytesMax: recordBytesMax) }
            switch decoding {
            case .record(let header):
                let payload = window.getBytes(at: window.readerIndex + LogRecordLayout.headerBytes, length: header.payloadBytes)!
                window.moveReaderIndex(forwardBy: header.recordBytes)
                windowOffsetBytes += header.recordBytes
                let record = LogRecord(term: header.term, index: header.index, type: header.type, payload: EntryPayload(payload))
                return .record(record, offsetBytes: offset, recordBytes: header.recordBytes)
            case .damaged(let reason):
                return .damaged(offsetBytes: offset, reason: reason)
            case .needMoreBytes(let recordBytes):
                let availableBytes = endBytes - offset
                guard availableBytes >= recordBytes else {
                    if availableBytes < LogRecordLayout.headerBytes {
                        return .damaged(
                            offsetBytes: offset,
                            reason: "\(availableBytes) trailing bytes, too few for a \(LogRecordLayout.headerBytes)-byte record header")
                    }
                    return .damaged(
                        offsetBytes: offset,
                        reason: "record claims \(recordBytes) bytes but only \(availableBytes) remain in the file")
                }
                try fill(toHold: recordBytes)
            }
        }
    }

    /// Compacts the window and reads until it holds at least `bytes` readable bytes (the caller
    /// checked that the file has them), reading a whole chunk when that is more.
    private func fill(toHold bytes: Int) throws {
        window.discardReadBytes()
        let wanted = min(max(bytes - window.readableBytes, Self.chunkBytes), endBytes - fileOffsetBytes)
        let path = self.path
        let fd = self.fd
        let offset = fileOffsetBytes
        let readBytes = try window.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { target in
            try FileIO.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: target[0..<wanted]), at: offset, path: path)
        }
        guard readBytes == wanted else {
            throw FileSystemError(operation: "pread (file shrank while being read)", path: path, errnoCode: EIO)
        }
        fileOffsetBytes += readBytes
    }
}
