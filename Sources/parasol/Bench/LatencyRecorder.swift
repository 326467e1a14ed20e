import Histogram

/// Operation latencies in nanoseconds, kept in an HdrHistogram (3 significant digits) so that
/// percentiles stay exact to 0.1 % however many operations a case runs.
struct LatencyRecorder: Sendable {
    private var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000_000, numberOfSignificantValueDigits: .three)

    var count: Int { Int(histogram.totalCount) }

    mutating func record(nanoseconds: UInt64) {
        _ = histogram.record(max(1, min(nanoseconds, 600_000_000_000)))
    }

    mutating func add(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
    }

    /// p50/p90/p99/p99.9/max in microseconds (empty when nothing was recorded).
    var summary: LatencySummary {
        guard count > 0 else { return LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0) }
        func micros(_ value: UInt64) -> Double { Double(value) / 1000 }
        return LatencySummary(
            count: count, p50: micros(histogram.valueAtPercentile(50)), p90: micros(histogram.valueAtPercentile(90)),
            p99: micros(histogram.valueAtPercentile(99)), p999: micros(histogram.valueAtPercentile(99.9)),
            max: micros(histogram.max))
    }
}

/// Latency percentiles of one case, in microseconds.
struct LatencySummary: Sendable {
    var count: Int
    var p50: Double
    var p90: Double
    var p99: Double
    var p999: Double
    var max: Double

    var json: [String: Any] {
        ["latencyCount": count, "p50us": p50, "p90us": p90, "p99us": p99, "p999us": p999, "maxUs": max]
    }
}
