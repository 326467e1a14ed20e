import NIOCore
import NIOPosix
import ParasolWire
import Synchronization
import Testing

/// A task that prefers a loop's executor must start there and come back there after every
/// suspension, even when what it awaited was completed on another thread: that is the whole
/// point (no thread wake-up per request).
@Suite struct EventLoopTaskExecutorTests {
    @Test func aTaskThatPrefersTheExecutorRunsAndResumesOnItsLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let elsewhere = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(eventLoop: loop)
        let observed = await withTaskGroup(of: [Bool].self) { tasks in
            tasks.addTask(executorPreference: executor) {
                var onLoop = [loop.inEventLoop]
                let answer = try? await elsewhere.next().submit { 42 }.get()
                onLoop.append(loop.inEventLoop && answer == 42)
                await Task.yield()
                onLoop.append(loop.inEventLoop)
                return onLoop
            }
            return await tasks.next() ?? []
        }
        #expect(observed == [true, true, true])
        let withoutPreference = await Task.detached { loop.inEventLoop }.value
        #expect(!withoutPreference)
        try await elsewhere.shutdownGracefully()
        try await group.shutdownGracefully()
    }

    @Test func aTaskStillFinishesAfterTheLoopClosed() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(eventLoop: loop)
        executor.loopWillClose()
        try await group.shutdownGracefully()
        // A closed loop drops what it is given: without the fallback this task never ends.
        // Polled rather than awaited, so that a regression fails the test instead of hanging it.
        let finished = Flag()
        Task(executorPreference: executor) {
            await Task.yield()
            finished.set()
        }
        for _ in 0..<500 where !finished.isSet {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        let done = finished.isSet
        #expect(done, "the task did not finish within 5 s")
    }
}

private final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
}
