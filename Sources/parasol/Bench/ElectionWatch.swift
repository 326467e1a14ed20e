import ParasolConfig

/// Counts elections between the cases of the data path (no node is killed there), so a
/// primary that moved under load is reported with the case that moved it, not only as a
/// total for the section.
final class ElectionWatch {
    private let probe = AdminShardProbe()
    private let nodes: [NodeConfig]
    private let replication: Int
    private let report: BenchReport
    private var seen: Int?

    /// Reads the current count; `nil` (a node not answering) turns the watch off.
    init(nodes: [NodeConfig], replication: Int, report: BenchReport) async {
        self.nodes = nodes
        self.replication = replication
        self.report = report
        seen = await probe.electionsSeen(askingNodes: nodes)
    }

    /// Notes the elections since the previous check as happening during `caseName`.
    func check(after caseName: String) async {
        guard let before = seen, let now = await probe.electionsSeen(askingNodes: nodes) else { return }
        if now > before { report.note("rf\(replication): \(now - before) election(s) during \(caseName), no node killed") }
        seen = now
    }
}
