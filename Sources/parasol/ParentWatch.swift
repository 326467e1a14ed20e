import Glibc
import Logging
import ServiceLifecycle

/// Ends (and with it, gracefully, the node it runs beside) when the process that started this
/// one exits: a `cluster up` or a benchmark killed with SIGKILL cannot stop its servers, and
/// they were left running, holding their ports and data directories. The parent is polled
/// (`getppid()` changes when it dies); `PR_SET_PDEATHSIG` would need the child to set it and
/// fires when the spawning *thread* exits, which a thread pool may do at any time.
struct ParentWatch: Service {
    /// The process that started this one, named by itself: a parent that died while this one
    /// was still starting is noticed at the first poll (an orphan's parent is init or a
    /// subreaper instead).
    let parent: pid_t
    let logger: Logger
    static let pollInterval = Duration.milliseconds(250)

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while getppid() == parent { try await Task.sleep(for: Self.pollInterval) }
            }
            logger.notice("process \(parent), which started this node, exited: stopping")
        } catch is CancellationError {
            // The node is shutting down for another reason: nothing left to watch.
        }
    }
}
