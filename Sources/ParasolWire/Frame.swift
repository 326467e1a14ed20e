import NIOCore

/// One unit on the wire: a fixed 28-byte header and the payload of one `Message`
/// (Protocols/wire.md, "Framing").
///
/// The header carries everything a connection needs to route and match a message without
/// decoding its payload: the request id pairs a reply with its request (replies may come back in
/// any order), the shard id names the shard a request is for.
public struct Frame: Sendable, Equatable {
    /// Chosen by the requester, unique among its requests in flight on the connection; a reply
    /// echoes it.
    public var requestID: UInt64
    /// The shard a request is for (0 for messages that are not about one shard); a reply echoes it.
    public var shardID: UInt32
    /// No flag is defined in protocol version 1: senders write 0 and receivers ignore the field.
    public var flags: UInt16
    public var message: Message
    /// The frame's bytes as they arrived (header and payload), for a frame that was decoded: a
    /// server logs a push as it arrived instead of encoding it again. Not part of equality.
    public var received: ByteBuffer?

    public init(requestID: UInt64, shardID: UInt32, flags: UInt16 = 0, message: Message, received: ByteBuffer? = nil) {
        self.requestID = requestID
        self.shardID = shardID
        self.flags = flags
        self.message = message
        self.received = received
    }

    /// Equal when header fields and message are, however each was made.
    public static func == (lhs: Frame, rhs: Frame) -> Bool {
        lhs.requestID == rhs.requestID && lhs.shardID == rhs.shardID && lhs.flags == rhs.flags && lhs.message == rhs.message
    }

    /// Size of the fixed header; a multiple of 4, so 4-byte alignment relative to the payload
    /// start is also 4-byte alignment relative to the frame start.
    public static let headerBytes = 28
    /// The protocol version this code speaks (header byte 4, and the version hello negotiates).
    public static let protocolVersion: UInt8 = 1
}
