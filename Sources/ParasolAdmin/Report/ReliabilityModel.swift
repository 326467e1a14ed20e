import Foundation

/// The two formulas behind the reliability part of `parasol health`, kept apart from the
/// merging so each can be checked against hand-computed numbers.
public enum ReliabilityModel {
    /// P(at least one failure within `hours`) for failures arriving as a Poisson process with
    /// rate `ratePerHour`: 1 − e^(−λ·t).
    public static func probabilityOfFailure(ratePerHour: Double, withinHours hours: Double) -> Double {
        precondition(ratePerHour >= 0 && hours >= 0, "rate \(ratePerHour) and window \(hours) must not be negative")
        return -expm1(-ratePerHour * hours)
    }

    /// Young/Daly's first-order optimal checkpoint interval √(2·C·M): with checkpoint cost C and
    /// mean time between failures M (both seconds), it balances time spent writing snapshots
    /// against log replayed after a failure. Valid when C ≪ M.
    public static func youngDalyIntervalSeconds(snapshotCostSeconds: Double, mtbfSeconds: Double) -> Double {
        precondition(snapshotCostSeconds >= 0 && mtbfSeconds >= 0, "cost \(snapshotCostSeconds) and MTBF \(mtbfSeconds) must not be negative")
        return (2 * snapshotCostSeconds * mtbfSeconds).squareRoot()
    }
}

/// What the nodes' observations say about failures, and the snapshot interval that follows.
///
/// Two failure kinds are kept apart because they matter for different things:
/// - a *primary failure* (an election caused by losing a primary) interrupts writes to one
///   shard; its rate λ gives the chance of another one in the next hour;
/// - a *node restart* makes that node replay its log from its newest snapshot; the node MTBF it
///   gives is the M of the Young/Daly snapshot interval.
public struct ReliabilityEstimate: Sendable, Codable, Equatable {
    /// The longest uptime among reachable nodes: the window in which elections were counted.
    public var observedHours: Double
    /// Elections caused by lost primaries, per shard the largest count any node saw, summed.
    public var primaryFailures: Int
    /// λ = primaryFailures / observedHours; nil when nothing was observed yet.
    public var primaryFailuresPerHour: Double?
    /// 1 − e^(−λ·1 h).
    public var probabilityOfPrimaryFailureNextHour: Double?
    /// Σ (startCount − 1) over reachable nodes.
    public var nodeRestarts: Int
    /// Σ lifetime over reachable nodes: the window in which restarts were counted.
    public var nodeHours: Double
    /// nodeHours / nodeRestarts; nil when no restart was observed.
    public var nodeMTBFHours: Double?
    /// C: the mean duration of the newest snapshot of every replica that has one.
    public var snapshotCostSeconds: Double?
    /// √(2·C·MTBF); nil when C or the MTBF is unknown.
    public var recommendedSnapshotIntervalSeconds: Double?
    /// The cluster file's `snapshot.everySeconds`; nil when snapshots are not taken by time.
    public var configuredSnapshotIntervalSeconds: Double?

    /// Derives the estimate from the nodes that answered.
    public init(answers: [NodeHealth], configuredSnapshotIntervalSeconds: Double?) {
        observedHours = (answers.map(\.uptimeSeconds).max() ?? 0) / 3600
        var electionsByShard: [Int: Int] = [:]
        var snapshotDurations: [Double] = []
        for health in answers {
            for replica in health.shards {
                electionsByShard[replica.shard] = max(electionsByShard[replica.shard] ?? 0, replica.electionsSeen)
                if let snapshot = replica.lastSnapshot {
                    snapshotDurations.append(snapshot.durationSeconds)
                }
            }
        }
        primaryFailures = electionsByShard.values.reduce(0, +)
        if observedHours > 0 {
            let rate = Double(primaryFailures) / observedHours
            primaryFailuresPerHour = rate
            probabilityOfPrimaryFailureNextHour = ReliabilityModel.probabilityOfFailure(ratePerHour: rate, withinHours: 1)
        }
        nodeRestarts = answers.map { max($0.startCount - 1, 0) }.reduce(0, +)
        nodeHours = answers.map(\.lifetimeSeconds).reduce(0, +) / 3600
        if nodeRestarts > 0 {
            nodeMTBFHours = nodeHours / Double(nodeRestarts)
        }
        if !snapshotDurations.isEmpty {
            snapshotCostSeconds = snapshotDurations.reduce(0, +) / Double(snapshotDurations.count)
        }
        if let cost = snapshotCostSeconds, let mtbf = nodeMTBFHours {
            recommendedSnapshotIntervalSeconds = ReliabilityModel.youngDalyIntervalSeconds(
                snapshotCostSeconds: cost, mtbfSeconds: mtbf * 3600)
        }
        self.configuredSnapshotIntervalSeconds = configuredSnapshotIntervalSeconds
    }
}
