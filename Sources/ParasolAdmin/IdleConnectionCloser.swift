import NIOCore

/// Closes a connection when `IdleStateHandler` reports that the client sent nothing for the
/// idle timeout: nothing an admin client does may hold a connection forever.
final class IdleConnectionCloser: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

@available(*, unavailable)
extension IdleConnectionCloser: Sendable {}
