import ArgumentParser
import Foundation
import ParasolClient
import ParasolConfig

/// `parasol bench`: measures a cluster it starts itself (or one given with `--cluster`) and
/// prints every figure; `--json FILE` keeps them with the machine, the commit and the settings.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput, latency, failover, snapshots and memory of a local (or given) cluster.",
        discussion: """
            Without --cluster it starts its own nodes (child processes of this binary) on free ports in a
            temporary folder, one cluster per replication factor, and stops them at the end.
            Sections: \(BenchSection.allCases.map(\.rawValue).joined(separator: ", ")).
            """)

    @Option(name: .long, help: "Attach to this cluster file instead of starting nodes (failover, restore and memory need own nodes).")
    var cluster: String?

    @Flag(name: .long, help: "Small sizes and short cases (well under 2 minutes).")
    var quick = false

    @Option(name: .long, help: "Comma-separated sections to run (default: all).")
    var only: String?

    @Option(name: .long, help: "Comma-separated replication factors for dense, smallops and sparse (default 1,3).")
    var replication: String = "1,3"

    @Option(name: .long, help: "fsync (default) or none.")
    var durability: String = "fsync"

    @Option(name: .long, help: "Write every figure, the machine and the settings to this JSON file.")
    var json: String?

    @Option(name: .customLong("snapshot-mib"), help: "Override the snapshot section's dense tensor size in MiB.")
    var snapshotMiB: Int?

    @Option(name: .long, help: "Override the number of kill -9s in the failover section.")
    var kills: Int?

    @Option(name: .long, help: "Comma-separated dense tensor sizes in bytes, with an optional KiB or MiB suffix (e.g. 64,4MiB), to profile one case.")
    var sizes: String?

    @Option(name: .customLong("in-flight"), help: "Comma-separated numbers of dense requests in flight (default 1,16), to profile one case.")
    var inFlight: String?

    func parsedSettings() throws -> BenchSettings {
        var sections = Set(BenchSection.allCases)
        if let only {
            sections = []
            for word in only.split(separator: ",") {
                guard let section = BenchSection(rawValue: word.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--only: unknown section '\(word)'; sections are \(BenchSection.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sections.insert(section)
            }
        }
        let factors = try replication.split(separator: ",").map { word -> Int in
            guard let factor = Int(word.trimmingCharacters(in: .whitespaces)), (1...5).contains(factor) else {
                throw ValidationError("--replication: '\(word)' is not a replication factor 1…5")
            }
            return factor
        }
        guard let level = Durability(rawValue: durability) else { throw ValidationError("--durability must be fsync or none, not '\(durability)'") }
        var settings = BenchSettings(quick: quick, sections: sections, replicationFactors: factors, durability: level)
        if let snapshotMiB {
            guard snapshotMiB > 0 else { throw ValidationError("--snapshot-mib must be positive") }
            guard snapshotMiB <= 1 << 20 else { throw ValidationError("--snapshot-mib \(snapshotMiB) is beyond 1 TiB") }
            settings.snapshotBytes = snapshotMiB << 20
        }
        if let kills {
            guard kills > 0 else { throw ValidationError("--kills must be positive") }
            settings.failoverKills = kills
        }
        if let sizes { settings.denseSizesBytes = try Self.parseSizes(sizes) }
        if let inFlight {
            settings.inFlights = try inFlight.split(separator: ",").map { word in
                guard let count = Int(word.trimmingCharacters(in: .whitespaces)), count > 0 else {
                    throw ValidationError("--in-flight: '\(word)' is not a positive number of requests")
                }
                return count
            }
        }
        return settings
    }

    func validate() throws { _ = try parsedSettings() }

    private static func parseSizes(_ text: String) throws -> [Int] {
        try text.split(separator: ",").map { word in
            let trimmed = word.trimmingCharacters(in: .whitespaces)
            let units: [(suffix: String, scale: Int)] = [("MiB", 1 << 20), ("KiB", 1 << 10), ("", 1)]
            let unit = units.first { trimmed.hasSuffix($0.suffix) }!
            guard let count = Int(trimmed.dropLast(unit.suffix.count)) else {
                throw ValidationError("--sizes: '\(word)' is not a size (a whole number of bytes, KiB or MiB, e.g. 64, 4KiB, 4MiB)")
            }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: unit.scale)
            guard !overflow, bytes >= 4, bytes % 4 == 0 else {
                throw ValidationError("--sizes: '\(word)' is not a size of whole floats (at least 4 bytes, e.g. 64, 4KiB, 4MiB)")
            }
            return bytes
        }
    }

    func run() async throws {
        let settings = try parsedSettings()
        let startedAt = Date()
        let clock = ContinuousClock()
        let begin = clock.now
        let machine = MachineInfo.collect()
        let report = BenchReport()
        let stop = SignalWatcher(signals: [SIGINT, SIGTERM])
        let runner = BenchRunner(settings: settings, report: report, stop: stop)
        do {
            if let cluster {
                try await runner.runAttached(clusterFile: cluster)
            } else {
                try await runner.runOwnClusters()
            }
        } catch {
            report.note("run stopped early: \(error)")
            report.printTable(machine: machine)
            if let json { try? report.write(to: json, machine: machine, settings: settings.json, startedAt: startedAt, seconds: 0) }
            throw ExitCode(1)
        }
        let seconds = Double((clock.now - begin).nanoseconds) / 1e9
        report.printTable(machine: machine)
        print("\ntook \(BenchFormat.number(seconds)) s")
        if let json {
            try report.write(to: json, machine: machine, settings: settings.json, startedAt: startedAt, seconds: seconds)
            print("wrote \(json)")
        }
    }
}
