import Foundation

/// Every figure of a run: printed as a table at the end and written as JSON with `--json`.
///
/// A figure is a flat dictionary (section, name, the parameters of its case, its measures), so
/// the side-by-side suite in `Tools/bench/` can select figures by parameter.
final class BenchReport {
    private(set) var figures: [[String: Any]] = []
    private(set) var notes: [String] = []
    private var lines: [(section: String, name: String, text: String)] = []

    func add(section: BenchSection, name: String, fields: [String: Any], line: String) {
        var figure = fields
        figure["section"] = section.rawValue
        figure["name"] = name
        figures.append(figure)
        lines.append((section.rawValue, name, line))
        StandardError.line("  \(section.rawValue)  \(name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(line)")
    }

    /// A fact a reader needs next to the figures (a skipped section, a fallback taken).
    func note(_ text: String) {
        notes.append(text)
        StandardError.line("  note: \(text)")
    }

    func printTable(machine: [String: Any]) {
        print("parasol bench — \(machine["cpuModel"] ?? "?"), \(machine["cores"] ?? "?") cores, \(machine["kernel"] ?? "?"), commit \(machine["gitCommit"] ?? "?")")
        var section = ""
        for line in lines {
            if line.section != section {
                section = line.section
                print("\n[\(section)]")
            }
            print("  \(line.name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(line.text)")
        }
        if !notes.isEmpty {
            print("\nnotes:")
            notes.forEach { print("  - \($0)") }
        }
    }

    func write(to path: String, machine: [String: Any], settings: [String: Any], startedAt: Date, seconds: Double) throws {
        let object: [String: Any] = [
            "tool": "parasol bench", "startedAt": ISO8601DateFormatter().string(from: startedAt), "durationSeconds": seconds,
            "machine": machine, "settings": settings, "figures": figures, "notes": notes,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path))
    }
}

/// Human formatting of sizes, rates and latencies.
enum BenchFormat {
    static func bytes(_ value: Int) -> String {
        if value >= 1 << 30, value % (1 << 30) == 0 { return "\(value >> 30) GiB" }
        if value >= 1 << 20, value % (1 << 20) == 0 { return "\(value >> 20) MiB" }
        if value >= 1 << 10, value % (1 << 10) == 0 { return "\(value >> 10) KiB" }
        return "\(value) B"
    }

    static func number(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

    static func latency(_ summary: LatencySummary) -> String {
        func us(_ v: Double) -> String { v >= 10_000 ? "\(number(v / 1000, 1))ms" : "\(number(v, 0))µs" }
        return "p50 \(us(summary.p50)) p90 \(us(summary.p90)) p99 \(us(summary.p99)) p99.9 \(us(summary.p999)) max \(us(summary.max))"
    }
}
