import NIOCore

/// The fixed 28-byte frame header: where each field lives, and how it is read and checked.
///
/// Fields are checked as soon as their bytes arrive, not once the whole header is there: a peer
/// that sends a short line of garbage (an HTTP request, a health checker's probe) gets its error
/// reply at once instead of a connection that waits forever for byte 28.
struct FrameHeader: Equatable {
    static let magic: [UInt8] = Array("PRSL".utf8)

    static let magicOffset = 0
    static let versionOffset = 4
    static let typeOffset = 5
    static let flagsOffset = 6
    static let requestIDOffset = 8
    static let shardIDOffset = 16
    static let payloadBytesOffset = 20
    static let crcOffset = 24
    /// The CRC covers header bytes `0..<crcCoveredBytes`, then the payload.
    static let crcCoveredBytes = 24

    var type: MessageType
    var flags: UInt16
    var requestID: UInt64
    var shardID: UInt32
    var payloadBytes: Int
    var crc: UInt32

    var frameBytes: Int { Frame.headerBytes + payloadBytes }

    /// Checks the header fields present at the start of `buffer`'s readable bytes (the reader
    /// index does not move) and returns the header once all 28 bytes are there, nil before.
    ///
    /// Throws as soon as a present field is wrong; in particular a payload length that would make
    /// the frame exceed `frameBytesMax` is refused from byte 24 on, before any payload is awaited.
    static func parse(_ buffer: ByteBuffer, frameBytesMax: Int) throws(WireError) -> FrameHeader? {
        let start = buffer.readerIndex
        let available = buffer.readableBytes

        let magicBytesPresent = min(available, magic.count)
        for index in 0..<magicBytesPresent where buffer.getInteger(at: start + index, as: UInt8.self)! != magic[index] {
            throw .badMagic(found: buffer.getBytes(at: start, length: magicBytesPresent)!)
        }
        guard available > versionOffset else { return nil }
        let version = buffer.getInteger(at: start + versionOffset, as: UInt8.self)!
        guard version == Frame.protocolVersion else { throw .unsupportedVersion(version) }

        guard available > typeOffset else { return nil }
        let typeByte = buffer.getInteger(at: start + typeOffset, as: UInt8.self)!
        guard let type = MessageType(rawValue: typeByte) else { throw .unknownMessageType(typeByte) }

        guard available >= crcOffset else { return nil }
        let payloadBytes = Int(buffer.getInteger(at: start + payloadBytesOffset, endianness: .little, as: UInt32.self)!)
        guard Frame.headerBytes + payloadBytes <= frameBytesMax else {
            throw .frameTooLarge(length: Frame.headerBytes + payloadBytes, limit: frameBytesMax)
        }

        guard available >= Frame.headerBytes else { return nil }
        return FrameHeader(
            type: type,
            flags: buffer.getInteger(at: start + flagsOffset, endianness: .little, as: UInt16.self)!,
            requestID: buffer.getInteger(at: start + requestIDOffset, endianness: .little, as: UInt64.self)!,
            shardID: buffer.getInteger(at: start + shardIDOffset, endianness: .little, as: UInt32.self)!,
            payloadBytes: payloadBytes,
            crc: buffer.getInteger(at: start + crcOffset, endianness: .little, as: UInt32.self)!
        )
    }
}
