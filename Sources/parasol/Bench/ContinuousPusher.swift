import ParasolClient
import Synchronization

/// Pushes one value to a counter tensor one after another until stopped, and remembers when each
/// acknowledged push started and ended, so the failover benchmark can find the first push
/// acknowledged after a kill and compare the counter with the acknowledgements.
final class ContinuousPusher: Sendable {
    struct Acknowledged: Sendable {
        var started: ContinuousClock.Instant
        var ended: ContinuousClock.Instant
    }

    private struct State {
        var acknowledged: [Acknowledged] = []
        var failed = 0
        var firstFailure: String?
        var stopped = false
    }

    private let state = Mutex(State())

    var acknowledgedCount: Int { state.withLock { $0.acknowledged.count } }
    var failedCount: Int { state.withLock { $0.failed } }
    var firstFailure: String? { state.withLock { $0.firstFailure } }

    /// The first push that started at or after `instant` and was acknowledged.
    func firstAcknowledged(startedAfter instant: ContinuousClock.Instant) -> Acknowledged? {
        state.withLock { state in
            // Pushes run one after another, so the list is in start order: scan back from the end.
            var found: Acknowledged?
            for push in state.acknowledged.reversed() {
                guard push.started >= instant else { break }
                found = push
            }
            return found
        }
    }

    func stop() { state.withLock { $0.stopped = true } }

    func run(client: ParasolClient, tensor: String, gradient: Float) async {
        let clock = ContinuousClock()
        while !state.withLock({ $0.stopped }) {
            let started = clock.now
            do {
                try await client.pushDense(tensor, gradient: [gradient])
                let ended = clock.now
                state.withLock { $0.acknowledged.append(Acknowledged(started: started, ended: ended)) }
            } catch {
                state.withLock {
                    $0.failed += 1
                    $0.firstFailure = $0.firstFailure ?? "\(error)"
                }
            }
        }
    }
}
