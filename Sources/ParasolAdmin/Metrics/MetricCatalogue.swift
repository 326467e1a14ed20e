/// Every metric Parasol records: its Prometheus name, its help text and its histogram buckets.
///
/// One table, so the names in dashboards, the HELP lines `promtool` insists on and the bucket
/// layout cannot drift apart. `ParasolMetricsFactory` reads it when swift-metrics asks for a
/// handler; names not in it still get a HELP line, so `/metrics` always passes `promtool`.
public enum MetricCatalogue {
    public static let requests = "parasol_requests_total"
    public static let payloadBytes = "parasol_request_payload_bytes_total"
    public static let requestDuration = "parasol_request_duration_seconds"
    public static let shardRole = "parasol_shard_role"
    public static let shardTerm = "parasol_shard_term"
    public static let shardCommitIndex = "parasol_shard_commit_index"
    public static let shardAppliedIndex = "parasol_shard_applied_index"
    public static let replicaLag = "parasol_shard_replica_lag_entries"
    public static let elections = "parasol_elections_total"
    public static let requestsHeld = "parasol_requests_held_total"
    public static let snapshotDuration = "parasol_snapshot_duration_seconds"
    public static let snapshotBytes = "parasol_snapshot_bytes"
    public static let walFsyncDuration = "parasol_wal_fsync_duration_seconds"
    public static let openConnections = "parasol_open_connections"

    /// 50 µs to 10 s in 1-2.5-5 steps: the fast end resolves loopback pulls and fsyncs on NVMe,
    /// the slow end catches a stalled disk or a long election without an unbounded +Inf bucket.
    public static let latencyBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .milliseconds(2) + .microseconds(500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// 10 ms to 10 min: a snapshot of a small shard takes milliseconds, a multi-GiB one minutes.
    public static let snapshotDurationBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500),
        .seconds(1), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(600),
    ]

    static let help: [String: String] = [
        requests: "Pull and push requests a shard served, by shard and kind (push or pull).",
        payloadBytes: "Tensor payload bytes a shard received in pushes and sent in pulls, by shard and kind.",
        requestDuration: "Seconds from reading a request to writing its reply, by kind (push or pull).",
        shardRole: "1 for the role this node plays in a shard (primary, replica or candidate), 0 for the others.",
        shardTerm: "The current term of a shard's replica on this node.",
        shardCommitIndex: "The highest log index this node knows to be committed, by shard.",
        shardAppliedIndex: "The highest log index applied to this node's copy of a shard.",
        replicaLag: "Entries a replica trails the commit index by, as the shard's primary sees it.",
        elections: "Elections this node took part in, by shard.",
        requestsHeld: "Client requests a replica held while no primary was known, to answer them once one was, by shard.",
        snapshotDuration: "Seconds taken to write a shard snapshot.",
        snapshotBytes: "Size on disk of the newest snapshot of a shard.",
        walFsyncDuration: "Seconds one fdatasync of the write-ahead log took.",
        openConnections: "Open client connections, by plane (data or admin).",
    ]

    static let durationBuckets: [String: [Duration]] = [
        requestDuration: latencyBuckets,
        walFsyncDuration: latencyBuckets,
        snapshotDuration: snapshotDurationBuckets,
    ]
}
