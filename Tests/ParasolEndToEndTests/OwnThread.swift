import Foundation

/// Runs `work`, which blocks (reading a child process's output to its end, waiting for it to
/// exit), on a thread of its own. On one of the two threads of Swift's cooperative pool such a
/// wait stalled every other test running meanwhile for as long as the child ran: observers
/// polled late, and a test's 1 s idle timeout fired before its request was written.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}
