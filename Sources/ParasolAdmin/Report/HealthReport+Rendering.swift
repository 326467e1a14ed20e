import Foundation

extension HealthReport {
    /// The report as JSON (`parasol health --json`): sorted keys, one document.
    public func json(pretty: Bool = true) -> String {
        do {
            return String(decoding: try AdminJSON.encoder(pretty: pretty).encode(self), as: UTF8.self)
        } catch {
            preconditionFailure("a HealthReport always encodes: \(error)")
        }
    }

    /// The report as tables for a terminal; `colors` adds ANSI colors (only for a TTY).
    public func table(colors: Bool) -> String {
        var out: [String] = []
        let nodesUp = nodes.count - nodesDown.count
        let summary = "cluster \(name(cluster)): \(nodesUp)/\(nodes.count) nodes up, \(shards.count) shards: "
            + "\(counts.healthy) healthy, \(counts.degraded) degraded, \(counts.unavailable) unavailable"
        out.append(colors ? (ANSIColor.bold.rawValue + summary + ANSIColor.reset) : summary)
        out.append("")

        var nodeTable = TextTable(header: ["NODE", "ADDRESS", "STATE", "VERSION", "UPTIME", "STARTS", "PRIMARIES", "ERROR"])
        for node in nodes {
            nodeTable.rows.append([
                .init(node.node), .init(node.address), node.reachable ? .init("up", .green) : .init("DOWN", .red),
                .init(node.version ?? "-"), .init(node.uptimeSeconds.map(Self.duration) ?? "-"),
                .init(node.startCount.map(String.init) ?? "-"), .init(node.primaries.map(String.init) ?? "-"),
                .init(node.error ?? ""),
            ])
        }
        out.append(nodeTable.render(colors: colors))
        out.append("")

        var shardTable = TextTable(header: ["SHARD", "STATUS", "PRIMARY", "TERM", "COMMIT", "REPLICAS (lag)", "SNAPSHOT AGE", "PROBLEMS"])
        for shard in shards {
            let replicas = shard.replicas.map { replica in
                guard replica.reachable else { return "\(replica.node) ✗" }
                return "\(replica.node) \(replica.lagEntries.map(String.init) ?? "?")"
            }
            shardTable.rows.append([
                .init(String(shard.shard)), .init(shard.status.rawValue, Self.color(shard.status)), .init(shard.primary ?? "-"),
                .init(shard.term.map(String.init) ?? "-"), .init(shard.commitIndex.map(String.init) ?? "-"),
                .init(replicas.isEmpty ? "-" : replicas.joined(separator: ", ")),
                .init(shard.lastSnapshotAgeSeconds.map(Self.duration) ?? "-"), .init(shard.problems.joined(separator: "; ")),
            ])
        }
        out.append(shardTable.render(colors: colors))
        out.append("")
        out += reliabilityLines()
        return out.joined(separator: "\n")
    }

    private func reliabilityLines() -> [String] {
        let model = reliability
        var lines: [String] = []
        if let rate = model.primaryFailuresPerHour, let probability = model.probabilityOfPrimaryFailureNextHour {
            lines.append(
                "primary failures: \(model.primaryFailures) in \(Self.hours(model.observedHours)) observed → "
                    + "λ = \(Self.decimal(rate, digits: 3))/h, P(≥1 more in the next hour) = \(Self.decimal(probability * 100, digits: 1)) %")
        } else {
            lines.append("primary failures: no observation window yet (no node has been up long enough)")
        }
        let mtbf = model.nodeMTBFHours.map { "node MTBF \(Self.hours($0))" }
            ?? "no restarts in \(Self.hours(model.nodeHours)) node-time"
        let cost = model.snapshotCostSeconds.map { "snapshot cost C = \(Self.decimal($0, digits: 3)) s" } ?? "no snapshot taken yet"
        let configured = model.configuredSnapshotIntervalSeconds.map { "configured \(Self.duration($0))" } ?? "no time-based snapshots configured"
        if let recommended = model.recommendedSnapshotIntervalSeconds {
            lines.append("snapshots: \(cost), \(mtbf) → Young/Daly interval \(Self.duration(recommended)) (\(configured))")
        } else {
            lines.append("snapshots: \(cost), \(mtbf) → no Young/Daly interval yet (\(configured))")
        }
        return lines
    }

    private func name(_ cluster: String) -> String { cluster.isEmpty ? "(unnamed)" : cluster }

    private static func color(_ status: ShardStatus) -> ANSIColor {
        switch status {
        case .healthy: .green
        case .degraded: .yellow
        case .unavailable: .red
        }
    }

    /// "45s", "12m05s", "3h07m", "2d04h".
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        switch total {
        case ..<60: return "\(total)s"
        case ..<3600: return "\(total / 60)m\(twoDigits(total % 60))s"
        case ..<86400: return "\(total / 3600)h\(twoDigits(total % 3600 / 60))m"
        default: return "\(total / 86400)d\(twoDigits(total % 86400 / 3600))h"
        }
    }

    private static func hours(_ hours: Double) -> String {
        duration(hours * 3600)
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : String(value)
    }

    static func decimal(_ value: Double, digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
