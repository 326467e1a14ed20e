import NIOCore

/// Writes outbound `Frame`s as bytes: the last outbound handler of every data-port pipeline.
public struct FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = Frame

    public init() {}

    public func encode(data: Frame, out: inout ByteBuffer) {
        FrameCodec.encode(data, into: &out)
    }
}
