import NIOCore

/// The first handler of every admin connection: looks at the first bytes and installs the
/// HTTP/2 handler when they are the 24-byte client preface, the HTTP/1.1 handler otherwise.
///
/// It holds at most 24 bytes, decides as soon as a byte differs from the preface, then hands
/// the buffered bytes to the chosen handler and removes itself.
final class AdminProtocolSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (RFC 9113 §3.4).
    static let http2Preface: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private let router: AdminRouter
    private let limits: AdminLimits
    private var buffered = ByteBuffer()
    private var decided = false

    init(router: AdminRouter, limits: AdminLimits) {
        self.router = router
        self.limits = limits
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard !decided else {
            context.fireChannelRead(wrapInboundOut(bytes))
            return
        }
        buffered.writeBuffer(&bytes)
        let seen = buffered.readableBytesView.prefix(Self.http2Preface.count)
        let matchesSoFar = seen.elementsEqual(Self.http2Preface.prefix(seen.count))
        if matchesSoFar && seen.count < Self.http2Preface.count {
            return
        }
        decided = true
        let handler: any ChannelHandler =
            matchesSoFar
            ? HTTP2ConnectionHandler(router: router, limits: limits)
            : HTTP1ConnectionHandler(router: router, limits: limits)
        do {
            try context.pipeline.syncOperations.addHandler(handler, position: .after(self))
        } catch {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(wrapInboundOut(buffered))
        buffered = ByteBuffer()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard !decided, event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // Nothing was requested yet, so closing drops nothing in flight.
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension AdminProtocolSniffer: Sendable {}
