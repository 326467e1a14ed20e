extension HealthReport {
    /// Merges the nodes' answers into one report.
    ///
    /// For each shard the report trusts the node that says it is primary *and holds its lease*
    /// (highest term wins): only that node knows its replicas' progress, and only a leased
    /// primary can serve. With no such node the shard is unavailable, whatever else nodes say.
    /// A replica counts as reachable only if the primary hears it and this command reached it.
    ///
    /// - Parameters:
    ///   - shardCount: shards the cluster file declares; a shard no reachable node reports is
    ///     unavailable, not missing.
    ///   - configuredSnapshotIntervalSeconds: the cluster file's snapshot interval, shown next
    ///     to the Young/Daly recommendation.
    public static func merge(
        cluster: String, shardCount: Int, probes: [NodeProbe], configuredSnapshotIntervalSeconds: Double?,
        caughtUpLagEntriesMax: UInt64 = ShardStatus.caughtUpLagEntriesMax
    ) -> HealthReport {
        var answers: [(node: String, health: NodeHealth, shards: ClusterShards)] = []
        var nodes: [NodeReport] = []
        var nodesDown: [String] = []
        for probe in probes {
            switch probe.outcome {
            case .answered(let health, let shards):
                answers.append((probe.node, health, shards))
                nodes.append(NodeReport(
                    node: probe.node, address: probe.address, reachable: true, version: health.version,
                    uptimeSeconds: health.uptimeSeconds, startCount: health.startCount,
                    primaries: health.shards.filter { $0.role == .primary && $0.lease == .held }.count))
            case .unreachable(let reason):
                nodesDown.append(probe.node)
                nodes.append(NodeReport(node: probe.node, address: probe.address, reachable: false, error: reason))
            }
        }
        let reportedShards = answers.flatMap { $0.health.shards.map(\.shard) + $0.shards.shards.map(\.shard) }
        let shardIDs = Set(0..<shardCount).union(reportedShards).sorted()
        let down = Set(nodesDown)
        let shards = shardIDs.map { shard in
            mergeShard(shard, answers: answers, down: down, caughtUpLagEntriesMax: caughtUpLagEntriesMax)
        }
        let counts = StatusCounts(
            healthy: shards.filter { $0.status == .healthy }.count,
            degraded: shards.filter { $0.status == .degraded }.count,
            unavailable: shards.filter { $0.status == .unavailable }.count)
        let exitCode: Int32
        if answers.isEmpty || counts.unavailable > 0 {
            exitCode = 2
        } else if counts.degraded > 0 || !nodesDown.isEmpty {
            exitCode = 1
        } else {
            exitCode = 0
        }
        return HealthReport(
            cluster: cluster, nodes: nodes, shards: shards, counts: counts, nodesDown: nodesDown,
            reliability: ReliabilityEstimate(
                answers: answers.map(\.health), configuredSnapshotIntervalSeconds: configuredSnapshotIntervalSeconds),
            exitCode: exitCode)
    }

    private static func mergeShard(
        _ shard: Int, answers: [(node: String, health: NodeHealth, shards: ClusterShards)], down: Set<String>,
        caughtUpLagEntriesMax: UInt64
    ) -> ShardReport {
        let replicas = answers.compactMap { answer in
            answer.health.shards.first(where: { $0.shard == shard }).map { (node: answer.node, health: $0) }
        }
        let summaries = answers.compactMap { answer in
            answer.shards.shards.first(where: { $0.shard == shard }).map { (node: answer.node, summary: $0) }
        }
        let term = (replicas.map(\.health.term) + summaries.map(\.summary.term)).max()
        let leased = replicas.filter { $0.health.role == .primary && $0.health.lease == .held }
            .max(by: { $0.health.term < $1.health.term })

        guard let leased else {
            let newest = summaries.max(by: { $0.summary.term < $1.summary.term })?.summary
            let replicaReports = (newest?.replicas ?? []).map {
                ReplicaReport(node: $0.node, lagEntries: $0.lagEntries, reachable: $0.reachable && !down.contains($0.node))
            }
            return ShardReport(
                shard: shard, status: .unavailable, primary: newest?.primary, term: term, commitIndex: newest?.commitIndex,
                replicas: replicaReports,
                lastSnapshotAgeSeconds: replicas.compactMap(\.health.lastSnapshot?.ageSeconds).min(),
                problems: [unavailableReason(shard, replicas: replicas, answered: !answers.isEmpty)])
        }

        let primary = leased.node
        let summary = summaries.first(where: { $0.node == primary })?.summary
        let progress = (summary?.replicas ?? []).map {
            ReplicaProgress(
                node: $0.node, matchIndex: $0.matchIndex, lagEntries: $0.lagEntries,
                reachable: $0.reachable && !down.contains($0.node))
        }
        var problems: [String] = []
        if summary == nil {
            problems.append("primary \(primary) did not report its replicas' progress")
        }
        for replica in progress {
            if !replica.reachable {
                problems.append("replica \(replica.node) unreachable")
            } else if let lag = replica.lagEntries, lag > caughtUpLagEntriesMax {
                problems.append("replica \(replica.node) \(lag) entries behind")
            } else if replica.lagEntries == nil {
                problems.append("progress of replica \(replica.node) unknown")
            }
        }
        let status: ShardStatus =
            summary == nil
            ? .degraded
            : ShardStatus.classify(primaryHoldsLease: true, replicas: progress, caughtUpLagEntriesMax: caughtUpLagEntriesMax)
        return ShardReport(
            shard: shard, status: status, primary: primary, term: term,
            commitIndex: summary?.commitIndex ?? leased.health.commitIndex,
            replicas: progress.map { ReplicaReport(node: $0.node, lagEntries: $0.lagEntries, reachable: $0.reachable) },
            lastSnapshotAgeSeconds: leased.health.lastSnapshot?.ageSeconds, problems: status == .healthy ? [] : problems)
    }

    private static func unavailableReason(
        _ shard: Int, replicas: [(node: String, health: ReplicaHealth)], answered: Bool
    ) -> String {
        if !answered {
            return "no node answered"
        }
        if let expired = replicas.first(where: { $0.health.role == .primary }) {
            return "primary \(expired.node)'s lease is \(expired.health.lease.rawValue)"
        }
        if replicas.isEmpty {
            return "no reachable node holds shard \(shard)"
        }
        if replicas.contains(where: { $0.health.role == .candidate }) {
            return "election in progress"
        }
        return "no primary"
    }
}
