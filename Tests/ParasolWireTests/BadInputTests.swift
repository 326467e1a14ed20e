import NIOCore
import ParasolWire
import Testing

/// Every kind of bad input, fed to the decoder all at once and one byte at a time: incomplete
/// frames wait without error, broken ones fail with the typed error that names the problem, as
/// early as the bytes allow.
@Suite struct BadInputTests {
    static let validFrame = ReferenceLayout.encode(Frame(requestID: 5, shardID: 1, message: .describeTensor(DescribeTensor(name: "w")))).bytes

    // MARK: Incomplete input

    @Test func everyPrefixOfAFrameWaitsForMoreWithoutError() throws {
        for length in 0..<Self.validFrame.count {
            let prefix = Array(Self.validFrame[..<length])
            #expect(DecoderDriver.allAtOnce(prefix) == .decoded([], bufferedBytes: length))
            #expect(DecoderDriver.oneByteAtATime(prefix) == .decoded([], bufferedBytes: length))
            var buffer = ByteBuffer(bytes: prefix)
            #expect(try FrameCodec.decode(&buffer, frameBytesMax: 1 << 20) == nil)
            #expect(buffer.readableBytes == length, "an incomplete frame must not be consumed")
        }
    }

    // MARK: Header errors, detected as soon as the field arrives

    @Test func garbageIsRefusedAtItsFirstByte() {
        let http = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        #expect(http.count < Frame.headerBytes, "shorter than a header: must not wait for byte 28")
        #expect(DecoderDriver.allAtOnce(http) == .failed(.badMagic(found: Array("GET ".utf8)), fedBytes: http.count, frames: []))
        #expect(DecoderDriver.oneByteAtATime(http) == .failed(.badMagic(found: Array("G".utf8)), fedBytes: 1, frames: []))
    }

    @Test func magicWrongInItsLastByte() {
        var bytes = Self.validFrame
        bytes[3] = UInt8(ascii: "X")
        expectRejected(bytes, .badMagic(found: Array("PRSX".utf8)), detectedAfter: 4)
    }

    @Test(arguments: [UInt8(0), 2, 255])
    func wrongVersion(_ version: UInt8) {
        var bytes = Self.validFrame
        bytes[4] = version
        expectRejected(bytes, .unsupportedVersion(version), detectedAfter: 5)
    }

    @Test(arguments: [UInt8(0x00), 0x10, 0x45, 0x50, 0x5F, 0x86, 0xFE])
    func unknownMessageType(_ type: UInt8) {
        var bytes = Self.validFrame
        bytes[5] = type
        expectRejected(bytes, .unknownMessageType(type), detectedAfter: 6)
    }

    @Test func replicationTypesAreNamedAsReservedInTheError() {
        #expect(WireError.unknownMessageType(0x45).description.contains("reserved for replication"))
        #expect(!WireError.unknownMessageType(0x10).description.contains("replication"))
    }

    @Test func oversizedLengthIsRefusedBeforeThePayloadArrives() {
        var bytes = Self.validFrame
        bytes.replaceSubrange(20..<24, with: [0xFF, 0xFF, 0xFF, 0xFF])
        let expected = WireError.frameTooLarge(length: Frame.headerBytes + Int(UInt32.max), limit: 1 << 20)
        expectRejected(bytes, expected, detectedAfter: 24)
        // Only the 24 bytes up to the length field are needed: nothing is allocated or awaited.
        var headerOnly = ByteBuffer(bytes: bytes[..<24])
        #expect(throws: expected) { try FrameCodec.decode(&headerOnly, frameBytesMax: 1 << 20) }
    }

    @Test func frameOfExactlyTheLimitPassesAndOneByteMoreDoesNot() throws {
        let frameBytes = Self.validFrame.count
        #expect(DecoderDriver.oneByteAtATime(Self.validFrame, frameBytesMax: frameBytes) == .decoded([frame(Self.validFrame)], bufferedBytes: 0))
        expectRejected(Self.validFrame, .frameTooLarge(length: frameBytes, limit: frameBytes - 1), detectedAfter: 24, frameBytesMax: frameBytes - 1)
    }

    // MARK: Whole-frame errors

    @Test func flippedPayloadByteFailsTheCRC() {
        var bytes = Self.validFrame
        bytes[bytes.count - 1] ^= 0x01
        let expected = WireError.crcMismatch(expected: storedCRC(bytes), actual: computedCRC(bytes))
        expectRejected(bytes, expected, detectedAfter: bytes.count)
    }

    @Test func flippedHeaderByteFailsTheCRC() {
        var bytes = Self.validFrame
        bytes[10] ^= 0x01  // inside the request id
        expectRejected(bytes, .crcMismatch(expected: storedCRC(bytes), actual: computedCRC(bytes)), detectedAfter: bytes.count)
    }

    @Test func goodFramesBeforeABadOneAreStillDelivered() {
        let good = Self.validFrame
        let stream = good + good + Array("junk".utf8)
        let expected = DecoderDriver.Outcome.failed(.badMagic(found: Array("junk".utf8)), fedBytes: stream.count, frames: [frame(good), frame(good)])
        #expect(DecoderDriver.allAtOnce(stream) == expected)
        #expect(DecoderDriver.oneByteAtATime(stream) == .failed(.badMagic(found: Array("j".utf8)), fedBytes: 2 * good.count + 1, frames: [frame(good), frame(good)]))
    }

    // MARK: Malformed payloads (correct CRC, wrong layout)

    struct MalformedCase: Sendable, CustomStringConvertible {
        var description: String
        var type: MessageType
        var payload: [UInt8]
        /// A phrase the error must contain: it names the field at fault.
        var mentions: String
    }

    static let pushIDBytes = [UInt8](repeating: 1, count: 24)

    static let malformedCases: [MalformedCase] = [
        MalformedCase(
            description: "string length past the end", type: .describeTensor,
            payload: littleEndian(UInt32(1000)) + Array("abc".utf8), mentions: "name needs 1000 bytes, but only 3 remain"),
        MalformedCase(
            description: "string that is not UTF-8", type: .describeTensor,
            payload: littleEndian(UInt32(2)) + [0xFF, 0xFE], mentions: "name is not valid UTF-8"),
        MalformedCase(
            description: "missing fixed field", type: .pullDense,
            payload: littleEndian(UInt32(1)) + Array("w".utf8) + [1, 2, 3], mentions: "offset needs 8 bytes, but only 3 remain"),
        MalformedCase(
            description: "bool that is neither 0 nor 1", type: .pushAck,
            payload: littleEndian(UInt64(3)) + [2], mentions: "duplicate is 2"),
        MalformedCase(
            description: "float block not a whole number of floats", type: .pushDense,
            payload: pushIDBytes + littleEndian(UInt32(1)) + Array("w".utf8) + littleEndian(UInt64(0)) + littleEndian(UInt32(6)) + [0, 0, 0] + [UInt8](repeating: 0, count: 6),
            mentions: "gradient holds 6 bytes"),
        MalformedCase(
            description: "float block longer than the payload", type: .pushDense,
            payload: pushIDBytes + littleEndian(UInt32(1)) + Array("w".utf8) + littleEndian(UInt64(0)) + littleEndian(UInt32(0xFFFF_FFFC)) + [0, 0, 0],
            mentions: "gradient (3 padding + 4294967292 float bytes) needs"),
        MalformedCase(
            description: "non-zero padding before floats", type: .pushDense,
            payload: pushIDBytes + littleEndian(UInt32(1)) + Array("w".utf8) + littleEndian(UInt64(0)) + littleEndian(UInt32(4)) + [0, 7, 0] + [0, 0, 0x80, 0x3F],
            mentions: "gradient padding bytes are not zero"),
        MalformedCase(
            description: "array count larger than the payload", type: .pullSparse,
            payload: littleEndian(UInt32(1)) + Array("e".utf8) + littleEndian(UInt32.max) + littleEndian(UInt64(3)),
            mentions: "rowIDs claims 4294967295 elements"),
        MalformedCase(
            description: "unknown tensor kind", type: .createTensor,
            payload: littleEndian(UInt32(1)) + Array("t".utf8) + [5], mentions: "kind is 5"),
        MalformedCase(
            description: "unknown initializer tag", type: .createTensor,
            payload: littleEndian(UInt32(1)) + Array("t".utf8) + [0] + littleEndian(UInt32(0)) + [7], mentions: "initializer tag is 7"),
        MalformedCase(
            description: "unknown optimizer tag", type: .createTensor,
            payload: littleEndian(UInt32(1)) + Array("t".utf8) + [0] + littleEndian(UInt32(0)) + [0, 9], mentions: "optimizer tag is 9"),
        MalformedCase(
            description: "unknown error code", type: .error,
            payload: littleEndian(UInt16(99)) + littleEndian(UInt32(0)) + littleEndian(UInt32(0)), mentions: "code 99"),
        MalformedCase(
            description: "bytes after the last field", type: .snapshotRequest,
            payload: [0], mentions: "1 bytes left over"),
    ]

    @Test(arguments: malformedCases)
    func malformedPayloadIsRefusedNamingTheField(_ bad: MalformedCase) {
        let bytes = ReferenceLayout.frame(type: bad.type.rawValue, payload: bad.payload)
        let matches: (WireError) -> Bool = { error in
            guard case .malformedPayload(let type, let reason) = error else { return false }
            return type == bad.type && reason.contains(bad.mentions)
        }
        for outcome in [DecoderDriver.allAtOnce(bytes), DecoderDriver.oneByteAtATime(bytes)] {
            guard case .failed(let error, let fedBytes, let frames) = outcome else {
                Issue.record("\(bad): expected a failure, got \(outcome)")
                continue
            }
            #expect(matches(error), "\(bad): \(error)")
            #expect(fedBytes == bytes.count && frames.isEmpty)
        }
        // The write-ahead log's path: the same payload decoded alone.
        var payload = ByteBuffer(bytes: bad.payload)
        #expect(performing: { try FrameCodec.decodePayload(type: bad.type, from: &payload) }, throws: { error in
            (error as? WireError).map(matches) ?? false
        })
    }

    // MARK: Helpers

    /// `bytes` must fail with `expected`, whole or byte by byte, and byte by byte as soon as
    /// `detectedAfter` bytes are in.
    private func expectRejected(
        _ bytes: [UInt8], _ expected: WireError, detectedAfter: Int, frameBytesMax: Int = 1 << 20,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            DecoderDriver.allAtOnce(bytes, frameBytesMax: frameBytesMax) == .failed(expected, fedBytes: bytes.count, frames: []),
            sourceLocation: sourceLocation)
        #expect(
            DecoderDriver.oneByteAtATime(bytes, frameBytesMax: frameBytesMax) == .failed(expected, fedBytes: detectedAfter, frames: []),
            sourceLocation: sourceLocation)
        var buffer = ByteBuffer(bytes: bytes)
        #expect(throws: expected, sourceLocation: sourceLocation) { try FrameCodec.decode(&buffer, frameBytesMax: frameBytesMax) }
    }

    private func frame(_ bytes: [UInt8]) -> Frame {
        var buffer = ByteBuffer(bytes: bytes)
        return try! FrameCodec.decode(&buffer, frameBytesMax: 1 << 20)!
    }

    private func storedCRC(_ bytes: [UInt8]) -> UInt32 {
        ByteBuffer(bytes: bytes).getInteger(at: 24, endianness: .little, as: UInt32.self)!
    }

    private func computedCRC(_ bytes: [UInt8]) -> UInt32 {
        CRC32C.checksum(Array(bytes[28...]), seed: CRC32C.checksum(Array(bytes[..<24])))
    }
}
