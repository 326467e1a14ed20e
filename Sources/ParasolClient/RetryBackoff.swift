import NIOCore

/// Pauses between retries: exponential from 10 ms, capped, with full jitter so that many
/// workers retrying against a restarting node do not arrive in lockstep.
enum RetryBackoff {
    static func pause(attempt: Int, maxSeconds: Double) -> TimeAmount {
        let base = 0.010 * Double(1 << min(attempt - 1, 16))
        let capped = min(base, maxSeconds)
        return .nanoseconds(Int64(Double.random(in: capped / 2...capped) * 1e9))
    }
}
