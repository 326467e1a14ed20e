import Metrics
import Synchronization

/// The metrics a Parasol node records, created once with the names of `MetricCatalogue`.
///
/// The server makes one at start (after `MetricsSystem.bootstrap(ParasolMetricsFactory(...))`)
/// and keeps the per-shard handles from `shard(_:)`, so recording is a method call on a
/// ready-made handler — no label lookups on the request path.
public final class ParasolMetrics: Sendable {
    /// The two request kinds the data plane serves.
    public enum RequestKind: String, Sendable, CaseIterable {
        case push
        case pull
    }

    /// Which listener a connection came in on.
    public enum Plane: String, Sendable, CaseIterable {
        case data
        case admin
    }

    private let factory: any MetricsFactory
    private let requestDurations: [RequestKind: CoreMetrics.Timer]
    private let walFsyncDuration: CoreMetrics.Timer
    private let openConnections: [Plane: Meter]
    private let shards = Mutex<[Int: ShardMetrics]>([:])

    /// - Parameter factory: where handlers come from; the bootstrapped `MetricsSystem.factory`
    ///   in the server, a `ParasolMetricsFactory` over a private registry in tests.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        requestDurations = Dictionary(uniqueKeysWithValues: RequestKind.allCases.map { kind in
            (kind, CoreMetrics.Timer(label: MetricCatalogue.requestDuration, dimensions: [("kind", kind.rawValue)], factory: factory))
        })
        walFsyncDuration = CoreMetrics.Timer(label: MetricCatalogue.walFsyncDuration, dimensions: [], factory: factory)
        openConnections = Dictionary(uniqueKeysWithValues: Plane.allCases.map { plane in
            (plane, Meter(label: MetricCatalogue.openConnections, dimensions: [("plane", plane.rawValue)], factory: factory))
        })
    }

    /// The handles of one shard, created on first use and the same object on every later call.
    public func shard(_ shard: Int) -> ShardMetrics {
        shards.withLock { shards in
            if let existing = shards[shard] { return existing }
            let created = ShardMetrics(shard: shard, factory: factory, requestDurations: requestDurations)
            shards[shard] = created
            return created
        }
    }

    public func recordWALFsync(_ duration: Duration) {
        walFsyncDuration.recordNanoseconds(duration.nanoseconds)
    }

    public func connectionOpened(_ plane: Plane) {
        openConnections[plane]!.increment()
    }

    public func connectionClosed(_ plane: Plane) {
        openConnections[plane]!.decrement()
    }
}

/// The metrics of one shard on this node.
public final class ShardMetrics: Sendable {
    public let shard: Int
    private let factory: any MetricsFactory
    private let requests: [ParasolMetrics.RequestKind: CoreMetrics.Counter]
    private let payloadBytes: [ParasolMetrics.RequestKind: CoreMetrics.Counter]
    private let requestDurations: [ParasolMetrics.RequestKind: CoreMetrics.Timer]
    private let roles: [ReplicaRole: Gauge]
    private let term: Gauge
    private let commitIndex: Gauge
    private let appliedIndex: Gauge
    private let elections: CoreMetrics.Counter
    private let requestsHeld: CoreMetrics.Counter
    private let snapshotDuration: CoreMetrics.Timer
    private let snapshotBytes: Gauge
    private let replicaLags = Mutex<[String: Gauge]>([:])

    init(shard: Int, factory: any MetricsFactory, requestDurations: [ParasolMetrics.RequestKind: CoreMetrics.Timer]) {
        self.shard = shard
        self.factory = factory
        self.requestDurations = requestDurations
        let shardLabel = ("shard", String(shard))
        requests = Dictionary(uniqueKeysWithValues: ParasolMetrics.RequestKind.allCases.map { kind in
            (kind, CoreMetrics.Counter(label: MetricCatalogue.requests, dimensions: [shardLabel, ("kind", kind.rawValue)], factory: factory))
        })
        payloadBytes = Dictionary(uniqueKeysWithValues: ParasolMetrics.RequestKind.allCases.map { kind in
            (kind, CoreMetrics.Counter(label: MetricCatalogue.payloadBytes, dimensions: [shardLabel, ("kind", kind.rawValue)], factory: factory))
        })
        roles = Dictionary(uniqueKeysWithValues: ReplicaRole.allCases.map { role in
            (role, Gauge(label: MetricCatalogue.shardRole, dimensions: [shardLabel, ("role", role.rawValue)], factory: factory))
        })
        term = Gauge(label: MetricCatalogue.shardTerm, dimensions: [shardLabel], factory: factory)
        commitIndex = Gauge(label: MetricCatalogue.shardCommitIndex, dimensions: [shardLabel], factory: factory)
        appliedIndex = Gauge(label: MetricCatalogue.shardAppliedIndex, dimensions: [shardLabel], factory: factory)
        elections = CoreMetrics.Counter(label: MetricCatalogue.elections, dimensions: [shardLabel], factory: factory)
        requestsHeld = CoreMetrics.Counter(label: MetricCatalogue.requestsHeld, dimensions: [shardLabel], factory: factory)
        snapshotDuration = CoreMetrics.Timer(label: MetricCatalogue.snapshotDuration, dimensions: [shardLabel], factory: factory)
        snapshotBytes = Gauge(label: MetricCatalogue.snapshotBytes, dimensions: [shardLabel], factory: factory)
    }

    /// One served request: counts it, adds its payload bytes and records its latency.
    public func recordRequest(_ kind: ParasolMetrics.RequestKind, payloadBytes bytes: Int, duration: Duration) {
        requests[kind]!.increment()
        payloadBytes[kind]!.increment(by: bytes)
        requestDurations[kind]!.recordNanoseconds(duration.nanoseconds)
    }

    /// Sets the role gauge of `role` to 1 and the others to 0.
    public func setRole(_ role: ReplicaRole) {
        for (candidate, gauge) in roles {
            gauge.record(candidate == role ? 1 : 0)
        }
    }

    public func setTerm(_ value: UInt64) { term.record(Double(value)) }
    public func setCommitIndex(_ value: UInt64) { commitIndex.record(Double(value)) }
    public func setAppliedIndex(_ value: UInt64) { appliedIndex.record(Double(value)) }

    /// How many entries replica `node` trails the commit index by (recorded by the primary).
    public func setReplicaLag(node: String, entries: UInt64) {
        let gauge = replicaLags.withLock { lags in
            if let gauge = lags[node] { return gauge }
            let gauge = Gauge(label: MetricCatalogue.replicaLag, dimensions: [("shard", String(shard)), ("replica", node)], factory: factory)
            lags[node] = gauge
            return gauge
        }
        gauge.record(Double(entries))
    }

    public func recordElection() {
        elections.increment()
    }

    /// A client request held for an election (see `parasol_requests_held_total`).
    public func recordHeldRequest() {
        requestsHeld.increment()
    }

    /// The size of the snapshot a replica recovered from: after a restart the gauge shows the
    /// snapshot on disk before the next one is written.
    public func setSnapshotBytes(_ bytes: Int) {
        snapshotBytes.record(bytes)
    }

    public func recordSnapshot(duration: Duration, bytes: Int) {
        snapshotDuration.recordNanoseconds(duration.nanoseconds)
        snapshotBytes.record(bytes)
    }
}
