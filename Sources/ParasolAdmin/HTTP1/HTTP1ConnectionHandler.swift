import NIOCore

/// Serves HTTP/1.1 on one admin connection: parses one request at a time, answers it through
/// the router off the event loop, and only then reads the next one.
///
/// Pipelined requests wait in the buffer and reads stay paused while a request is being
/// answered, so a client can make this connection hold at most one head, one bounded body and
/// one socket read. Malformed input is answered with its error and the connection closes.
final class HTTP1ConnectionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        /// Waiting for (the rest of) a request.
        case idle
        /// The router is answering a request; reads are paused.
        case answering(keepAlive: Bool)
        /// The last response is written (or the connection died); nothing more happens.
        case closed
    }

    private let router: AdminRouter
    private var parser: HTTP1RequestParser
    private var buffered: ByteBuffer
    private var state: State = .idle
    private var readSuppressed = false
    /// Set by a graceful shutdown: answer what is in flight, then close instead of reading on.
    private var quiescing = false

    init(router: AdminRouter, limits: AdminLimits) {
        self.router = router
        self.parser = HTTP1RequestParser(limits: limits)
        self.buffered = ByteBuffer()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .closed = state { return }
        var bytes = unwrapInboundIn(data)
        buffered.writeBuffer(&bytes)
        parseNext(context: context)
    }

    func read(context: ChannelHandlerContext) {
        switch state {
        case .idle:
            context.read()
        case .answering, .closed:
            readSuppressed = true
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        quiescing = true
        if case .idle = state {
            state = .closed
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        state = .closed
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        state = .closed
        context.close(promise: nil)
    }

    private func parseNext(context: ChannelHandlerContext) {
        guard case .idle = state else { return }
        switch parser.parse(&buffered) {
        case .needMoreData:
            buffered.discardReadBytes()
        case .failure(let error):
            finish(context: context, with: .error(error))
        case .request(let parsed):
            let keepAlive = parsed.keepAlive && !quiescing
            state = .answering(keepAlive: keepAlive)
            let promise = context.eventLoop.makePromise(of: AdminResponse.self)
            let router = self.router
            promise.completeWithTask { await router.route(parsed.request) }
            promise.futureResult.assumeIsolated().whenSuccess { response in
                self.respond(context: context, with: response)
            }
        }
    }

    private func respond(context: ChannelHandlerContext, with response: AdminResponse) {
        guard case .answering(let keepAlive) = state else { return }
        guard keepAlive && !quiescing else {
            finish(context: context, with: response)
            return
        }
        var out = context.channel.allocator.buffer(capacity: response.body.count + 256)
        HTTP1ResponseEncoder.encode(response, keepAlive: true, into: &out)
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        state = .idle
        parseNext(context: context)
        if case .idle = state, readSuppressed {
            readSuppressed = false
            context.read()
        }
    }

    /// Writes the last response of this connection, then closes it.
    private func finish(context: ChannelHandlerContext, with response: AdminResponse) {
        state = .closed
        var out = context.channel.allocator.buffer(capacity: response.body.count + 256)
        HTTP1ResponseEncoder.encode(response, keepAlive: false, into: &out)
        context.writeAndFlush(wrapOutboundOut(out)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension HTTP1ConnectionHandler: Sendable {}
