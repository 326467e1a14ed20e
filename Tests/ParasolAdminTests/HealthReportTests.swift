import Foundation
import Testing

@testable import ParasolAdmin

/// A three-node cluster with three shards, replication 3: node n(i+1) is primary of shard i.
/// Each test breaks one thing and checks what the merged report says about it.
@Suite("health report merging")
struct HealthReportTests {
    static let nodeIDs = ["n1", "n2", "n3"]

    /// One node's answers. `lagOf` gives, for a shard this node leads, each replica's lag.
    func answers(
        _ node: String, term: UInt64 = 2, lease: LeaseState = .held, lagOf: [String: UInt64] = [:],
        unreachableReplicas: Set<String> = [], uptimeSeconds: Double = 3600
    ) -> NodeProbe {
        let leads = Self.nodeIDs.firstIndex(of: node)!
        let replicas = (0..<3).map { shard in
            ReplicaHealth(
                shard: shard, role: shard == leads ? .primary : .replica, term: term, commitIndex: 500, appliedIndex: 500,
                primary: Self.nodeIDs[shard], lease: shard == leads ? lease : .none, electionsSeen: 0,
                lastSnapshot: SnapshotInfo(index: 400, ageSeconds: 30, bytes: 1 << 20, ratio: 1.5, durationSeconds: 0.5))
        }
        let summaries = (0..<3).map { shard in
            let isLeader = shard == leads
            return ShardSummary(
                shard: shard, primary: Self.nodeIDs[shard], term: term, commitIndex: 500,
                replicas: Self.nodeIDs.map { replica in
                    let lag = isLeader ? (lagOf[replica] ?? 0) : nil
                    return ReplicaProgress(
                        node: replica, matchIndex: lag.map { 500 - $0 }, lagEntries: lag,
                        reachable: !unreachableReplicas.contains(replica))
                },
                status: .healthy)
        }
        let health = NodeHealth(
            node: node, version: "1", uptimeSeconds: uptimeSeconds, startCount: 1, lifetimeSeconds: uptimeSeconds, shards: replicas)
        return NodeProbe(node: node, address: "127.0.0.1:\(7101 + 2 * leads)", outcome: .answered(health: health, shards: ClusterShards(node: node, shards: summaries)))
    }

    func down(_ node: String) -> NodeProbe {
        NodeProbe(node: node, address: "127.0.0.1:1", outcome: .unreachable(reason: "cannot connect to 127.0.0.1:1: connection refused"))
    }

    func merge(_ probes: [NodeProbe]) -> HealthReport {
        HealthReport.merge(cluster: "test", shardCount: 3, probes: probes, configuredSnapshotIntervalSeconds: 60)
    }

    @Test("all nodes up and caught up: every shard healthy, exit 0")
    func healthy() {
        let report = merge(Self.nodeIDs.map { answers($0) })
        #expect(report.counts == StatusCounts(healthy: 3, degraded: 0, unavailable: 0))
        #expect(report.exitCode == 0)
        #expect(report.shards.map(\.primary) == ["n1", "n2", "n3"])
        #expect(report.shards.allSatisfy { $0.problems.isEmpty && $0.lastSnapshotAgeSeconds == 30 })
        #expect(report.nodesDown.isEmpty)
    }

    @Test("a node down: its shard has no leased primary (unavailable), the others lose a replica (degraded), exit 2")
    func nodeDown() {
        let report = merge([answers("n1"), answers("n2"), down("n3")])
        #expect(report.nodesDown == ["n3"])
        #expect(report.shards.map(\.status) == [.degraded, .degraded, .unavailable])
        #expect(report.shards[0].problems == ["replica n3 unreachable"])
        #expect(report.shards[0].replicas.first(where: { $0.node == "n3" })?.reachable == false)
        #expect(report.shards[2].problems == ["no primary"])
        #expect(report.exitCode == 2)
        #expect(report.nodes.last == NodeReport(
            node: "n3", address: "127.0.0.1:1", reachable: false, error: "cannot connect to 127.0.0.1:1: connection refused"))
    }

    @Test("a lagging replica degrades its shard only, exit 1")
    func lagging() {
        let report = merge([answers("n1", lagOf: ["n2": 500]), answers("n2"), answers("n3")])
        #expect(report.shards.map(\.status) == [.degraded, .healthy, .healthy])
        #expect(report.shards[0].problems == ["replica n2 500 entries behind"])
        #expect(report.shards[0].replicas.map(\.lagEntries) == [0, 500, 0])
        #expect(report.exitCode == 1)
    }

    @Test("a replica the primary cannot hear degrades the shard although this command reaches it")
    func unheardReplica() {
        let report = merge([answers("n1", unreachableReplicas: ["n3"]), answers("n2"), answers("n3")])
        #expect(report.shards[0].status == .degraded)
        #expect(report.exitCode == 1)
    }

    @Test("a primary whose lease expired leaves its shard unavailable, saying why")
    func expiredLease() {
        let report = merge([answers("n1", lease: .expired), answers("n2"), answers("n3")])
        #expect(report.shards[0].status == .unavailable)
        #expect(report.shards[0].problems == ["primary n1's lease is expired"])
        #expect(report.exitCode == 2)
    }

    @Test("two nodes claiming the same shard: the higher term wins")
    func higherTermWins() {
        // n1 thinks it still leads shard 0 in term 2; n2 leads it in term 3 (and shard 1 too).
        var newer = answers("n2", term: 3)
        if case .answered(var health, var shards) = newer.outcome {
            health.shards[0].role = .primary
            health.shards[0].lease = .held
            shards.shards[0].replicas = shards.shards[1].replicas
            newer.outcome = .answered(health: health, shards: shards)
        }
        let report = merge([answers("n1"), newer, answers("n3")])
        #expect(report.shards[0].primary == "n2")
        #expect(report.shards[0].term == 3)
    }

    @Test("no node reachable: everything unavailable, exit 2")
    func nothingReachable() {
        let report = merge(Self.nodeIDs.map(down))
        #expect(report.counts == StatusCounts(healthy: 0, degraded: 0, unavailable: 3))
        #expect(report.shards.allSatisfy { $0.problems == ["no node answered"] })
        #expect(report.exitCode == 2)
        #expect(report.reliability.primaryFailuresPerHour == nil)
    }

    @Test("a node down that leads nothing still makes the exit status 1")
    func spareNodeDown() {
        let probes = Self.nodeIDs.map { answers($0) } + [down("n4")]
        let report = merge(probes)
        #expect(report.counts.healthy == 3)
        #expect(report.exitCode == 1)
    }

    @Test("JSON round-trips; the table has colors only when asked")
    func rendering() throws {
        let report = merge([answers("n1"), answers("n2"), down("n3")])
        let decoded = try AdminJSON.decoder().decode(HealthReport.self, from: Data(report.json().utf8))
        #expect(decoded == report)
        let plain = report.table(colors: false)
        #expect(!plain.contains("\u{1B}"))
        #expect(plain.contains("1/3") == false && plain.contains("2/3 nodes up"))
        #expect(plain.contains("DOWN") && plain.contains("unavailable") && plain.contains("Young/Daly"))
        #expect(report.table(colors: true).contains("\u{1B}[31m"))
    }
}

@Suite("reliability model")
struct ReliabilityModelTests {
    @Test("Poisson: P(≥1 failure in t) = 1 − e^(−λt)")
    func poisson() {
        #expect(abs(ReliabilityModel.probabilityOfFailure(ratePerHour: 0.5, withinHours: 1) - 0.393_469_340_287_366_6) < 1e-12)
        #expect(ReliabilityModel.probabilityOfFailure(ratePerHour: 0, withinHours: 1) == 0)
        #expect(abs(ReliabilityModel.probabilityOfFailure(ratePerHour: 1e-9, withinHours: 1) - 1e-9) < 1e-18)
    }

    @Test("Young/Daly: √(2·C·M)")
    func youngDaly() {
        #expect(ReliabilityModel.youngDalyIntervalSeconds(snapshotCostSeconds: 2, mtbfSeconds: 3600) == 120)
        #expect(ReliabilityModel.youngDalyIntervalSeconds(snapshotCostSeconds: 0, mtbfSeconds: 3600) == 0)
    }

    func node(
        uptimeHours: Double, lifetimeHours: Double, startCount: Int, elections: [Int: Int], snapshotSeconds: Double?
    ) -> NodeHealth {
        NodeHealth(
            node: "n", version: "1", uptimeSeconds: uptimeHours * 3600, startCount: startCount,
            lifetimeSeconds: lifetimeHours * 3600,
            shards: elections.keys.sorted().map { shard in
                ReplicaHealth(
                    shard: shard, role: .replica, term: 1, commitIndex: 0, appliedIndex: 0, primary: nil, lease: .none,
                    electionsSeen: elections[shard]!,
                    lastSnapshot: snapshotSeconds.map { SnapshotInfo(index: 1, ageSeconds: 1, bytes: 1, ratio: 1, durationSeconds: $0) })
            })
    }

    @Test("the estimate dedupes elections per shard, counts restarts over lifetimes and averages snapshot cost")
    func estimate() {
        let answers = [
            node(uptimeHours: 2, lifetimeHours: 10, startCount: 3, elections: [0: 2, 1: 1], snapshotSeconds: 1),
            node(uptimeHours: 1, lifetimeHours: 6, startCount: 1, elections: [0: 1, 1: 1], snapshotSeconds: 3),
        ]
        let estimate = ReliabilityEstimate(answers: answers, configuredSnapshotIntervalSeconds: 60)
        #expect(estimate.observedHours == 2)
        #expect(estimate.primaryFailures == 3)
        #expect(estimate.primaryFailuresPerHour == 1.5)
        #expect(abs(estimate.probabilityOfPrimaryFailureNextHour! - (1 - exp(-1.5))) < 1e-12)
        #expect(estimate.nodeRestarts == 2)
        #expect(estimate.nodeHours == 16)
        #expect(estimate.nodeMTBFHours == 8)
        #expect(estimate.snapshotCostSeconds == 2)
        #expect(abs(estimate.recommendedSnapshotIntervalSeconds! - (2.0 * 2 * 8 * 3600).squareRoot()) < 1e-9)
        #expect(estimate.configuredSnapshotIntervalSeconds == 60)
    }

    @Test("without restarts there is no MTBF and no recommendation")
    func noRestarts() {
        let estimate = ReliabilityEstimate(
            answers: [node(uptimeHours: 5, lifetimeHours: 5, startCount: 1, elections: [0: 0], snapshotSeconds: 1)],
            configuredSnapshotIntervalSeconds: nil)
        #expect(estimate.primaryFailuresPerHour == 0 && estimate.probabilityOfPrimaryFailureNextHour == 0)
        #expect(estimate.nodeMTBFHours == nil && estimate.recommendedSnapshotIntervalSeconds == nil)
    }
}
