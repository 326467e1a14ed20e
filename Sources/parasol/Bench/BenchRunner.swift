import Foundation
import ParasolClient
import ParasolConfig

/// Runs the selected sections in order against the clusters they need and makes sure every node
/// it started is stopped again, whatever happens (a failure, or Ctrl-C between sections).
struct BenchRunner {
    let settings: BenchSettings
    let report: BenchReport
    let stop: SignalWatcher

    /// One cluster per replication factor for the data-path sections (RF=3 also runs failover),
    /// then a one-node cluster without automatic snapshots for the snapshot and memory sections.
    func runOwnClusters() async throws {
        let sections = settings.sections
        var factors = settings.replicationFactors
        if sections.contains(.failover), !factors.contains(3) { factors.append(3) }
        let dataPath: Set<BenchSection> = [.dense, .smallops, .sparse]
        for factor in factors {
            let wantsDataPath = !sections.isDisjoint(with: dataPath) && settings.replicationFactors.contains(factor)
            let wantsFailover = sections.contains(.failover) && factor == 3
            guard wantsDataPath || wantsFailover else { continue }
            let cluster = try BenchCluster(
                name: "rf\(factor)", nodes: max(factor, 1), replication: factor, shards: settings.shardCount, durability: settings.durability)
            try await withCluster(cluster) {
                if wantsDataPath { try await runDataPath(cluster: cluster, replication: factor) }
                if wantsFailover {
                    try checkStop()
                    try await FailoverBench(settings: settings).run(cluster: cluster, report: report)
                }
            }
        }
        if sections.contains(.snapshot) || sections.contains(.memory) {
            let cluster = try BenchCluster(
                name: "snapshot", nodes: 1, replication: 1, shards: settings.shardCount, durability: settings.durability,
                snapshot: SnapshotPolicy(everyUpdates: 0, everySeconds: 0, keep: 2))
            try await withCluster(cluster) {
                try await SnapshotBench(settings: settings).run(cluster: cluster, report: report)
            }
        }
    }

    func runAttached(clusterFile: String) async throws {
        let cluster = try BenchCluster(attachingTo: clusterFile)
        try await cluster.waitUntilServing(timeoutSeconds: 10)
        report.note("attached to \(clusterFile): replication \(cluster.config.replicationFactor), \(cluster.config.nodes.count) node(s)")
        try await runDataPath(cluster: cluster, replication: cluster.config.replicationFactor)
        if settings.sections.contains(.failover) { try await FailoverBench(settings: settings).run(cluster: cluster, report: report) }
        if settings.sections.contains(.snapshot) || settings.sections.contains(.memory) {
            try await SnapshotBench(settings: settings).run(cluster: cluster, report: report)
        }
    }

    private func runDataPath(cluster: BenchCluster, replication: Int) async throws {
        let client = ParasolClient(config: cluster.config)
        let probe = AdminShardProbe()
        let electionsBefore = await probe.electionsSeen(askingNodes: cluster.config.nodes)
        let elections = await ElectionWatch(nodes: cluster.config.nodes, replication: replication, report: report)
        do {
            if settings.sections.contains(.dense) {
                try checkStop()
                try await DenseBench(settings: settings).run(client: client, replication: replication, report: report, elections: elections)
            }
            if settings.sections.contains(.smallops) {
                try checkStop()
                try await SmallOpBench(settings: settings).run(config: cluster.config, replication: replication, report: report)
                await elections.check(after: "small ops")
            }
            if settings.sections.contains(.sparse) {
                try checkStop()
                try await SparseBench(settings: settings).run(client: client, replication: replication, report: report)
                await elections.check(after: "sparse")
            }
        } catch {
            await client.close()
            throw error
        }
        await client.close()
        // A primary that moves under load (no node was killed here) costs every client a retry
        // and shows up nowhere else in the figures.
        if let electionsBefore, let electionsAfter = await probe.electionsSeen(askingNodes: cluster.config.nodes) {
            report.note("rf\(replication) data path: \(electionsAfter - electionsBefore) election(s), no node killed")
        }
    }

    private func withCluster(_ cluster: BenchCluster, _ body: () async throws -> Void) async throws {
        StandardError.line("cluster \(cluster.config.name): \(cluster.config.nodes.count) node(s), replication \(cluster.config.replicationFactor), durability \(cluster.config.durability.rawValue), in \(cluster.clusterFile)")
        do {
            try await cluster.waitUntilServing()
            try await body()
        } catch {
            cluster.stop()
            throw error
        }
        cluster.stop()
    }

    private func checkStop() throws {
        if stop.fired { throw ValidationErrorMessage("interrupted") }
    }
}
