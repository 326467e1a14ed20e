import Metrics
import Prometheus

/// The swift-metrics factory the server bootstraps `MetricsSystem` with: it creates
/// swift-prometheus collectors in `registry`, with the HELP text and histogram buckets of
/// `MetricCatalogue`, so that `GET /metrics` renders `registry` and passes `promtool check metrics`.
///
/// It exists instead of a plain `PrometheusMetricsFactory` because that one emits no HELP
/// lines, which promtool reports as an error.
public struct ParasolMetricsFactory: MetricsFactory {
    public let registry: PrometheusCollectorRegistry

    /// - Parameter registry: a fresh one by default; pass one to share it with code that
    ///   registers Prometheus collectors directly.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// Every metric in `registry` in the Prometheus text exposition format (what `GET /metrics` serves).
    public func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else {
            return registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
        }
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: Self.valueBuckets)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let buckets = MetricCatalogue.durationBuckets[label] ?? MetricCatalogue.latencyBuckets
        return registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    public func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    public func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge {
            registry.unregisterGauge(gauge)
        } else if let histogram = handler as? ValueHistogram {
            registry.unregisterValueHistogram(histogram)
        }
    }

    public func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }

    /// Value histograms are not used by Parasol itself; these decades cover counts and sizes
    /// other libraries might record.
    private static let valueBuckets: [Double] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000]

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        let help = MetricCatalogue.help[label] ?? "\(label), recorded through swift-metrics."
        return MetricNameDescriptor(metricName: label, unitName: "", helpText: help)
    }
}
