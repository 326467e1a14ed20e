import Metrics
import ParasolAdmin

/// The process's one metrics registry. `MetricsSystem.bootstrap` may run only once per process
/// (a second call traps), so it happens here, on first use, exactly once; every `ParasolNode`
/// in the process — normally one — records into and serves this registry.
enum ProcessMetrics {
    static let factory: ParasolMetricsFactory = {
        let factory = ParasolMetricsFactory()
        MetricsSystem.bootstrap(factory)
        return factory
    }()
}
