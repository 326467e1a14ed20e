/// Why bytes from a peer are not a valid frame. Every case is fatal to the connection: after one
/// bad frame the stream position can no longer be trusted, so the server answers with an error
/// frame (`errorReply`) and closes.
///
/// Each message says what was expected and what arrived, so the one log line a bad connection
/// earns is enough to find the culprit.
public enum WireError: Error, Equatable, CustomStringConvertible {
    /// The first bytes are not "PRSL"; `found` holds the (up to four) bytes that came instead.
    case badMagic(found: [UInt8])
    /// Header byte 4 names a protocol version this code does not speak.
    case unsupportedVersion(UInt8)
    /// The header's CRC (`expected`) differs from the CRC of the bytes that arrived (`actual`).
    case crcMismatch(expected: UInt32, actual: UInt32)
    /// The header announces a frame of `length` bytes (header included) above `limit`.
    case frameTooLarge(length: Int, limit: Int)
    /// Header byte 5 is not a message type of this version (this includes the unassigned values
    /// of the replication range).
    case unknownMessageType(UInt8)
    /// The payload does not match the layout of its message type; `reason` names the field.
    case malformedPayload(type: MessageType, reason: String)
    /// The connection ended `bufferedBytes` bytes into a frame.
    case truncated(bufferedBytes: Int)

    public var description: String {
        switch self {
        case .badMagic(let found):
            let printable = String(decoding: found.map { (0x20..<0x7F).contains($0) ? $0 : UInt8(ascii: ".") }, as: UTF8.self)
            return "not a Parasol frame: expected magic \"PRSL\" (50 52 53 4c), found \(hex(found)) (\"\(printable)\")"
        case .unsupportedVersion(let version):
            return "frame has protocol version \(version); this node speaks version \(Frame.protocolVersion)"
        case .crcMismatch(let expected, let actual):
            return "frame CRC-32C mismatch: header says 0x\(hex(expected)), the bytes received give 0x\(hex(actual))"
        case .frameTooLarge(let length, let limit):
            return "frame of \(length) bytes exceeds the limit of \(limit) bytes"
        case .unknownMessageType(let type):
            if (MessageType.replicationRangeStart...MessageType.replicationRangeEnd).contains(type) {
                return "message type 0x\(hex(type)) is in the range reserved for replication but not defined in protocol version \(Frame.protocolVersion)"
            }
            return "unknown message type 0x\(hex(type))"
        case .malformedPayload(let type, let reason):
            return "malformed \(type) payload: \(reason)"
        case .truncated(let bufferedBytes):
            return "connection ended \(bufferedBytes) bytes into a frame"
        }
    }

    /// The error a server sends (in an error frame) before it closes the connection.
    public var errorReply: ErrorReply {
        switch self {
        case .frameTooLarge:
            ErrorReply(code: .tooLarge, message: description)
        case .unsupportedVersion:
            ErrorReply(code: .unsupportedVersion, message: description)
        case .badMagic, .crcMismatch, .unknownMessageType, .malformedPayload, .truncated:
            ErrorReply(code: .badFrame, message: description)
        }
    }
}

private func hex(_ bytes: [UInt8]) -> String {
    bytes.isEmpty ? "nothing" : bytes.map { hex($0) }.joined(separator: " ")
}

private func hex(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16)
    return byte < 0x10 ? "0" + digits : digits
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 8 - digits.count) + digits
}
