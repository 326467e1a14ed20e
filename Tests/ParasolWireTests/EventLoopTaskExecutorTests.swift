import NIOCore
import NIOPosix
import ParasolWire
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
}
