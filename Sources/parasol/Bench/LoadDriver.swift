/// Runs one operation over and over with a fixed number in flight, for a bounded time and
/// count, and measures each operation's latency and the whole run's rate.
enum LoadDriver {
    struct Result: Sendable {
        var operations: Int
        var failures: Int
        var seconds: Double
        var latency: LatencyRecorder
        var firstFailure: String?

        var operationsPerSecond: Double { seconds > 0 ? Double(operations) / seconds : 0 }
    }

    /// `operation(i)` is called with i = 0, 1, 2, …; at most `inFlight` run at once. New
    /// operations start until `seconds` passed or `operationsMax` started; the run then waits
    /// for the ones in flight. Failed operations are counted, not timed.
    static func run(
        inFlight: Int, operationsMax: Int, seconds: Double, executor: @escaping @Sendable (Int) -> (any TaskExecutor)? = { _ in nil },
        _ operation: @escaping @Sendable (Int) async throws -> Void
    ) async -> Result {
        let clock = ContinuousClock()
        let start = clock.now
        let stopAt = start + .nanoseconds(Int64(seconds * 1e9))
        return await withTaskGroup(of: (UInt64?, String?).self) { group in
            var started = 0
            func startOne() {
                let index = started
                started += 1
                group.addTask(executorPreference: executor(index)) {
                    let begin = clock.now
                    do {
                        try await operation(index)
                        return (UInt64((clock.now - begin).nanoseconds), nil)
                    } catch {
                        return (nil, "\(error)")
                    }
                }
            }
            for _ in 0..<max(1, min(inFlight, operationsMax)) { startOne() }
            var result = Result(operations: 0, failures: 0, seconds: 0, latency: LatencyRecorder())
            while let (nanoseconds, failure) = await group.next() {
                if let nanoseconds {
                    result.operations += 1
                    result.latency.record(nanoseconds: nanoseconds)
                } else {
                    result.failures += 1
                    result.firstFailure = result.firstFailure ?? failure
                }
                if started < operationsMax, clock.now < stopAt { startOne() }
            }
            result.seconds = Double((clock.now - start).nanoseconds) / 1e9
            return result
        }
    }
}

extension Duration {
    /// The whole duration in nanoseconds (saturating far beyond any benchmark's length).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
