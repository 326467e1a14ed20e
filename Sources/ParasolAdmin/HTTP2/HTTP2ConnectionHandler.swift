import NIOCore

/// Serves HTTP/2 (cleartext, prior knowledge) on one admin connection through an
/// `HTTP2ServerSession`, answering many concurrent streams through the router off the loop.
///
/// Bytes read are fed to nghttp2 as they arrive; frames are drained into one buffer and written
/// with one `writeAndFlush` when a read burst completes or a batch of responses is ready. A
/// protocol error makes nghttp2 send GOAWAY; the connection then closes, and only it.
final class HTTP2ConnectionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum ShutdownState {
        case serving
        /// The shutdown notice and a PING are out; waiting for the PING's acknowledgement.
        case noticeSent
        /// The final GOAWAY is queued; the connection closes when its streams are answered.
        case goAwaySent
    }

    /// How long a graceful shutdown waits for the client to acknowledge the notice's PING
    /// before sending the final GOAWAY anyway.
    static let shutdownPingWait = TimeAmount.seconds(1)

    private let router: AdminRouter
    private let limits: AdminLimits
    private var session: HTTP2ServerSession?
    private var shutdownState = ShutdownState.serving
    /// Requests whose router task has not finished. A client that resets streams right after
    /// opening them frees nghttp2's stream slots but not our tasks ("rapid reset"), so this
    /// count, not the stream count, bounds the work one connection can start.
    private var requestsInFlight = 0
    private var flushScheduled = false
    private var flushing = false
    private var closing = false

    init(router: AdminRouter, limits: AdminLimits) {
        self.router = router
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        do {
            session = try HTTP2ServerSession(limits: limits)
        } catch {
            closing = true
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        session = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let session, !closing else { return }
        do {
            try session.receive(unwrapInboundIn(data))
        } catch {
            flush(context: context)
            closeAfterPendingWrites(context: context)
            return
        }
        handleEvents(of: session, context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flush(context: context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            flush(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closing = true
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard let session, case .serving = shutdownState else { return }
        session.submitShutdownNotice()
        shutdownState = .noticeSent
        flush(context: context)
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.shutdownPingWait) {
            self.sendFinalGoAway(context: context)
        }
    }

    // MARK: Requests

    private func handleEvents(of session: HTTP2ServerSession, context: ChannelHandlerContext) {
        for event in session.takeEvents() {
            switch event {
            case .request(let streamID, let request):
                guard requestsInFlight < limits.concurrentStreamsMax else {
                    session.submit(.error(.unavailable(
                        "\(requestsInFlight) requests are already being answered on this connection")), on: streamID)
                    continue
                }
                requestsInFlight += 1
                let promise = context.eventLoop.makePromise(of: AdminResponse.self)
                let router = self.router
                promise.completeWithTask { await router.route(request) }
                promise.futureResult.assumeIsolated().whenSuccess { response in
                    self.requestsInFlight -= 1
                    guard let session = self.session, !self.closing else { return }
                    session.submit(response, on: streamID)
                    self.scheduleFlush(context: context)
                }
            case .rejected(let streamID, let error):
                session.submit(.error(error), on: streamID)
            case .pingAcknowledged:
                sendFinalGoAway(context: context)
            }
        }
    }

    private func sendFinalGoAway(context: ChannelHandlerContext) {
        guard let session, !closing, case .noticeSent = shutdownState else { return }
        session.submitGoAway()
        shutdownState = .goAwaySent
        flush(context: context)
    }

    // MARK: Writing

    /// Coalesces the responses that complete in one event-loop tick into one write.
    private func scheduleFlush(context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.flush(context: context)
        }
    }

    /// Drains nghttp2 into the socket while the socket takes it, then closes the connection if
    /// nghttp2 wants neither to read nor to write (GOAWAY exchanged and every stream answered).
    private func flush(context: ChannelHandlerContext) {
        guard let session, !closing, !flushing else { return }
        flushing = true
        defer { flushing = false }
        do {
            while context.channel.isWritable {
                var out = context.channel.allocator.buffer(capacity: 16 << 10)
                try session.drain(into: &out, limitBytes: limits.writeBatchBytesMax)
                guard out.readableBytes > 0 else { break }
                context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            }
        } catch {
            closeAfterPendingWrites(context: context)
            return
        }
        if !session.wantsRead && !session.wantsWrite {
            closeAfterPendingWrites(context: context)
        }
    }

    /// Closes once everything already written reached the socket (a plain close would fail
    /// pending writes, dropping the GOAWAY or the last responses).
    private func closeAfterPendingWrites(context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension HTTP2ConnectionHandler: Sendable {}
