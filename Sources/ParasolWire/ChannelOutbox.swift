import NIOCore
import Synchronization

/// Writes messages to a channel from any thread, coalesced: everything sent before the channel's
/// loop gets to it goes out in one pass, with one flush.
///
/// Why: a `writeAndFlush` from another thread is a task for the channel's loop (an eventfd
/// wake-up) and a socket write of its own. A shard answering the 40 pushes of one log batch, or
/// a worker with 64 requests in flight, paid 40 or 64 of each; the outbox pays one of each
/// per pass. Messages sent from one thread keep their order.
public final class ChannelOutbox<Element: Sendable>: Sendable {
    private let channel: any Channel
    private let pending = Mutex<[(element: Element, promise: EventLoopPromise<Void>?)]>([])

    public init(channel: any Channel) {
        self.channel = channel
    }

    /// Queues `element`; `promise` (if any) completes when its write does, or fails with it.
    public func send(_ element: Element, promise: EventLoopPromise<Void>? = nil) {
        let isFirst = pending.withLock { queue in
            queue.append((element, promise))
            return queue.count == 1
        }
        if isFirst { channel.eventLoop.execute { self.writePending() } }
    }

    private func writePending() {
        let batch = pending.withLock { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        for (element, promise) in batch { channel.write(element, promise: promise) }
        channel.flush()
    }
}
