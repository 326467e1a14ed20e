import ArgumentParser
import Foundation
import ParasolClient
import ParasolConfig
import ParasolWire

/// `parasol snapshot`: asks shard primaries to write a snapshot now (before maintenance, or to
/// bound the log before a restart).
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Take a snapshot of one shard or of every shard now.")

    @OptionGroup var cluster: ClusterOption

    @Option(name: .long, help: "The shard to snapshot (default: every shard).")
    var shard: Int?

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    func run() async throws {
        let config = try cluster.load()
        if let shard, !(0..<config.shardCount).contains(shard) {
            throw ValidationError("shard \(shard) does not exist; the cluster has shards 0…\(config.shardCount - 1)")
        }
        let client = ParasolClient(config: config)
        let shards = shard.map { [$0] } ?? Array(0..<config.shardCount)
        var results: [[String: Any]] = []
        var failed = false
        for shard in shards {
            do {
                let taken = try await client.snapshot(shard: shard)
                results.append(["shard": shard, "index": taken.index, "bytes": taken.bytes])
                if !json { print("shard \(shard): snapshot at index \(taken.index), \(taken.bytes) bytes") }
            } catch {
                failed = true
                results.append(["shard": shard, "error": "\(error)"])
                if !json { print("shard \(shard): failed: \(error)") }
            }
        }
        await client.close()
        if json {
            let data = try JSONSerialization.data(withJSONObject: ["snapshots": results], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
        if failed { throw ExitCode(1) }
    }
}
