import NIOCore
import ParasolWire

/// A request on its way out together with the promise its reply fulfils and the instant after
/// which it fails instead: the unit `ResponseRouter` tracks.
struct PendingRequest {
    var frame: Frame
    var promise: EventLoopPromise<Message>
    var deadline: NIODeadline
}

/// Matches replies to requests by request id on one connection, so many requests can be in
/// flight and answered out of order. Each request fails by its deadline or when the connection
/// closes; nothing waits forever.
final class ResponseRouter: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias OutboundIn = PendingRequest
    typealias OutboundOut = Frame

    private struct Waiter {
        var promise: EventLoopPromise<Message>
        var timeout: Scheduled<Void>
    }

    private var waiters: [UInt64: Waiter] = [:]
    private var closedReason: String?
    private let peer: String

    init(peer: String) {
        self.peer = peer
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let reason = closedReason {
            request.promise.fail(ParasolClientError.connectionFailed(node: peer, address: peer, reason: reason))
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        let id = request.frame.requestID
        // The time the request was given, for the error message (the deadline is absolute).
        let allowedSeconds = Double(max(0, (request.deadline - .now()).nanoseconds)) / 1e9
        let timeout = context.eventLoop.assumeIsolated().scheduleTask(deadline: request.deadline) {
            self.fail(id, with: ParasolClientError.deadlineExceeded(
                operation: "request \(id) to \(self.peer)", seconds: (allowedSeconds * 1000).rounded() / 1000, lastError: "no reply"))
        }
        waiters[id] = Waiter(promise: request.promise, timeout: timeout)
        context.write(wrapOutboundOut(request.frame), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let waiter = waiters.removeValue(forKey: frame.requestID) else {
            if case .error(let reply) = frame.message {
                // A connection-level error (bad frame, refused session) carries request id 0
                // when the server could not read ours: every request on it has failed.
                failAll(ParasolClientError.server(reply))
            }
            return
        }
        waiter.timeout.cancel()
        waiter.promise.succeed(frame.message)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closedReason = "connection closed by \(peer)"
        failAll(ParasolClientError.connectionFailed(node: peer, address: peer, reason: "connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closedReason = "\(error)"
        failAll(ParasolClientError.connectionFailed(node: peer, address: peer, reason: "\(error)"))
        context.close(promise: nil)
    }

    private func fail(_ id: UInt64, with error: any Error) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        waiter.promise.fail(error)
    }

    private func failAll(_ error: any Error) {
        let all = waiters
        waiters = [:]
        for waiter in all.values {
            waiter.timeout.cancel()
            waiter.promise.fail(error)
        }
    }
}

@available(*, unavailable)
extension ResponseRouter: Sendable {}
