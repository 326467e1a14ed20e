import NIOCore
import NIOEmbedded
import ParasolWire
import Testing

/// The outbox must write everything sent before the channel's loop gets to it, in order, with
/// one flush per pass, and report a write that fails.
@Suite struct ChannelOutboxTests {
    @Test func onePassWritesEverythingSentInOrderWithOneFlush() throws {
        let channel = EmbeddedChannel()
        let flushes = FlushCounter()
        try channel.pipeline.syncOperations.addHandler(flushes)
        let outbox = ChannelOutbox<ByteBuffer>(channel: channel)
        for value in UInt8(0)..<5 { outbox.send(ByteBuffer(integer: value)) }
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        channel.embeddedEventLoop.run()
        for value in UInt8(0)..<5 {
            #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(integer: value))
        }
        #expect(flushes.count == 1)

        outbox.send(ByteBuffer(integer: UInt8(9)))
        channel.embeddedEventLoop.run()
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(integer: UInt8(9)))
        #expect(flushes.count == 2)
        _ = try channel.finish()
    }

    @Test func aWriteToAClosedChannelFailsItsPromise() throws {
        let channel = EmbeddedChannel()
        let outbox = ChannelOutbox<ByteBuffer>(channel: channel)
        try channel.close().wait()
        let written = channel.eventLoop.makePromise(of: Void.self)
        outbox.send(ByteBuffer(integer: UInt8(1)), promise: written)
        channel.embeddedEventLoop.run()
        #expect(throws: (any Error).self) { try written.futureResult.wait() }
    }
}

private final class FlushCounter: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    private(set) var count = 0

    func flush(context: ChannelHandlerContext) {
        count += 1
        context.flush()
    }
}
