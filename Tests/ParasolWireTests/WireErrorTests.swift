import ParasolWire
import Testing

@Suite struct WireErrorTests {
    @Test func eachErrorMapsToTheErrorCodeTheServerReplies() {
        let expectations: [(WireError, ErrorCode)] = [
            (.badMagic(found: Array("GET ".utf8)), .badFrame),
            (.unsupportedVersion(2), .unsupportedVersion),
            (.crcMismatch(expected: 1, actual: 2), .badFrame),
            (.frameTooLarge(length: 1 << 30, limit: 1 << 28), .tooLarge),
            (.unknownMessageType(0x45), .badFrame),
            (.malformedPayload(type: .pushDense, reason: "gradient holds 6 bytes"), .badFrame),
            (.truncated(bufferedBytes: 3), .badFrame),
        ]
        for (error, code) in expectations {
            #expect(error.errorReply.code == code, "\(error)")
            #expect(error.errorReply.message == error.description)
            #expect(error.errorReply.leaderHint.isEmpty)
        }
    }

    @Test func messagesNameWhatIsWrong() {
        #expect(WireError.badMagic(found: Array("GET ".utf8)).description
            == "not a Parasol frame: expected magic \"PRSL\" (50 52 53 4c), found 47 45 54 20 (\"GET \")")
        #expect(WireError.unsupportedVersion(2).description == "frame has protocol version 2; this node speaks version 1")
        #expect(WireError.crcMismatch(expected: 0xE306_9283, actual: 0x1A).description
            == "frame CRC-32C mismatch: header says 0xe3069283, the bytes received give 0x0000001a")
        #expect(WireError.frameTooLarge(length: 300, limit: 200).description == "frame of 300 bytes exceeds the limit of 200 bytes")
        #expect(WireError.unknownMessageType(0x10).description == "unknown message type 0x10")
        #expect(WireError.unknownMessageType(0x45).description
            == "message type 0x45 is in the range reserved for replication but not defined in protocol version 1")
        #expect(WireError.malformedPayload(type: .pushDense, reason: "gradient holds 6 bytes").description
            == "malformed pushDense (0x03) payload: gradient holds 6 bytes")
        #expect(WireError.truncated(bufferedBytes: 3).description == "connection ended 3 bytes into a frame")
    }
}
