import NIOCore

/// Runs Swift tasks on one NIO event loop.
///
/// A task that prefers the client's executor (`ParasolClient.taskExecutor`) sends its requests
/// and resumes on their replies on the loop that owns the connections: no thread wake-up on
/// either side of a request. On a 2-core machine each such hop costs several microseconds of
/// CPU, as much as the rest of a small push.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
