import NIOCore
import ParasolConsensus
import ParasolWire

/// The fields of a record header that passed its length and CRC checks.
struct DecodedRecordHeader: Equatable {
    var term: UInt64
    var index: UInt64
    var type: UInt8
    /// The record's whole size on disk, header included.
    var recordBytes: Int
    var payloadBytes: Int { recordBytes - LogRecordLayout.headerBytes }
}

/// What a run of bytes holds at its start.
enum LogRecordDecoding: Equatable {
    /// A whole record whose CRC matches.
    case record(DecodedRecordHeader)
    /// The bytes are the start of a record that claims `recordBytes` in total: read more.
    case needMoreBytes(recordBytes: Int)
    /// The bytes cannot be a record; `reason` says which check failed.
    case damaged(reason: String)
}

/// Encodes and checks record headers; see `LogRecordLayout` for the format.
enum LogRecordCodec {
    /// The CRC-32C a record carries: over term, index, type, then the payload.
    static func checksum(term: UInt64, index: UInt64, type: UInt8, payload: UnsafeRawBufferPointer) -> UInt32 {
        let headerChecksum = withUnsafeTemporaryAllocation(
            byteCount: LogRecordLayout.coveredHeaderBytes, alignment: MemoryLayout<UInt64>.alignment
        ) { covered in
            let start = LogRecordLayout.termOffset
            covered.storeBytes(of: term.littleEndian, toByteOffset: LogRecordLayout.termOffset - start, as: UInt64.self)
            covered.storeBytes(of: index.littleEndian, toByteOffset: LogRecordLayout.indexOffset - start, as: UInt64.self)
            covered.storeBytes(of: type, toByteOffset: LogRecordLayout.typeOffset - start, as: UInt8.self)
            return CRC32C.checksum(UnsafeRawBufferPointer(covered))
        }
        return CRC32C.checksum(payload, seed: headerChecksum)
    }

    /// Writes the header of `record` (length, CRC, term, index, type) to `destination`, which
    /// must have room for `LogRecordLayout.headerBytes`.
    static func encodeHeader(of record: LogRecord, into destination: UnsafeMutableRawPointer) {
        let payloadBytes = record.payload.count
        let crc = record.payload.withUnsafeBytes { payload in
            checksum(term: record.term, index: record.index, type: record.type, payload: payload)
        }
        let length = UInt32(LogRecordLayout.length(payloadBytes: payloadBytes))
        destination.storeBytes(of: length.littleEndian, toByteOffset: LogRecordLayout.lengthOffset, as: UInt32.self)
        destination.storeBytes(of: crc.littleEndian, toByteOffset: LogRecordLayout.crcOffset, as: UInt32.self)
        destination.storeBytes(of: record.term.littleEndian, toByteOffset: LogRecordLayout.termOffset, as: UInt64.self)
        destination.storeBytes(of: record.index.littleEndian, toByteOffset: LogRecordLayout.indexOffset, as: UInt64.self)
        destination.storeBytes(of: record.type, toByteOffset: LogRecordLayout.typeOffset, as: UInt8.self)
    }

    /// Checks the record at the start of `bytes`. The length is checked against the minimum and
    /// `recordBytesMax` before anything relies on it; the CRC only once the whole record is there.
    static func decode(_ bytes: UnsafeRawBufferPointer, recordBytesMax: Int) -> LogRecordDecoding {
        guard bytes.count >= LogRecordLayout.crcOffset else {
            return .needMoreBytes(recordBytes: LogRecordLayout.headerBytes)
        }
        let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: LogRecordLayout.lengthOffset, as: UInt32.self)))
        guard length >= LogRecordLayout.coveredHeaderBytes else {
            return .damaged(reason: "length field \(length) is below the \(LogRecordLayout.coveredHeaderBytes)-byte minimum")
        }
        let recordBytes = LogRecordLayout.termOffset + length
        guard recordBytes <= recordBytesMax else {
            return .damaged(reason: "length field claims a \(recordBytes)-byte record, above the \(recordBytesMax)-byte limit")
        }
        guard bytes.count >= recordBytes else {
            return .needMoreBytes(recordBytes: recordBytes)
        }
        let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: LogRecordLayout.crcOffset, as: UInt32.self))
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[LogRecordLayout.termOffset..<recordBytes]))
        guard stored == computed else {
            return .damaged(reason: "CRC-32C mismatch (stored \(hex(stored)), computed \(hex(computed)))")
        }
        return .record(DecodedRecordHeader(
            term: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: LogRecordLayout.termOffset, as: UInt64.self)),
            index: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: LogRecordLayout.indexOffset, as: UInt64.self)),
            type: bytes[LogRecordLayout.typeOffset],
            recordBytes: recordBytes
        ))
    }

    private static func hex(_ value: UInt32) -> String {
        "0x" + String(value, radix: 16)
    }
}
