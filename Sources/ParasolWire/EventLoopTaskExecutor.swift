import Dispatch
import NIOCore
import Synchronization

/// Runs Swift tasks on one NIO event loop.
///
/// A task that prefers the client's executor (`ParasolClient.taskExecutor`) sends its requests
/// and resumes on their replies on the loop that owns the connections: no thread wake-up on
/// either side of a request. On a 2-core machine each such hop costs several microseconds of
/// CPU, as much as the rest of a small push.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop
    private let loopClosed = Atomic<Bool>(false)

    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Call before shutting the loop down: jobs enqueued from then on run on Dispatch's global
    /// queue instead. A loop that has shut down drops what it is given, and a task whose next
    /// step was dropped would never finish.
    public func loopWillClose() {
        loopClosed.store(true, ordering: .sequentiallyConsistent)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if loopClosed.load(ordering: .sequentiallyConsistent) {
            DispatchQueue.global().async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        } else {
            eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }
    }
}
