import ArgumentParser
import Foundation
import ParasolClient
import ParasolConfig
import ParasolWire

/// `parasol failover`: moves shard primaries on purpose, before maintenance or to rebalance.
///
/// Uses Raft's leadership transfer (the target is caught up first, so nothing acknowledged is
/// at risk and clients see at most a short pause), then waits until the new primary actually
/// serves reads before reporting, so "done" means "workers are being served again".
struct FailoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failover",
        abstract: "Move the primary of a shard to another replica (or every primary off a node).",
        discussion: """
            parasol failover --shard 3 [--to n2]     move shard 3's primary (to n2, or the most caught-up replica)
            parasol failover --shard all --from n1   move every primary off n1 before maintenance
            """)

    @OptionGroup var cluster: ClusterOption

    @Option(name: .long, help: "The shard whose primary moves, or 'all' (with --from).")
    var shard: String

    @Option(name: .long, help: "The node to become primary (default: the most caught-up replica).")
    var to: String?

    @Option(name: .long, help: "With --shard all: the node every primary moves off.")
    var from: String?

    @Option(name: .long, help: "Seconds to wait for each new primary to serve.")
    var timeout: Double = 10

    @Flag(name: .long, help: "Print one JSON object instead of lines.")
    var json = false

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive, not \(timeout)") }
        if shard == "all" {
            guard from != nil else { throw ValidationError("--shard all needs --from NODE: the node to move every primary off") }
            guard to == nil else { throw ValidationError("--to cannot be combined with --shard all; each shard picks its most caught-up replica") }
        } else {
            guard Int(shard) != nil else { throw ValidationError("--shard must be a shard number or 'all', not '\(shard)'") }
            guard from == nil else { throw ValidationError("--from is only for --shard all") }
        }
    }

    func run() async throws {
        let config = try cluster.load()
        let placement = ShardPlacement(config)
        var shards: [Int]
        if shard == "all" {
            let from = from!
            guard config.nodes.contains(where: { $0.id == from }) else {
                throw ValidationError("node \(from) is not in \(cluster.cluster); its nodes are \(config.nodes.map(\.id).joined(separator: ", "))")
            }
            shards = placement.shards(on: from)
        } else {
            let number = Int(shard)!
            guard (0..<config.shardCount).contains(number) else {
                throw ValidationError("shard \(number) does not exist; the cluster has shards 0…\(config.shardCount - 1)")
            }
            if let to {
                let replicas = placement.replicas(of: number)
                guard replicas.contains(to) else {
                    throw ValidationError("node \(to) holds no replica of shard \(number); its replicas are \(replicas.joined(separator: ", "))")
                }
            }
            shards = [number]
        }
        let client = ParasolClient(config: config, options: ClientOptions(callDeadlineSeconds: timeout))
        var results: [[String: Any]] = []
        var failed = false
        for shard in shards {
            let started = ContinuousClock.now
            do {
                let before = try await client.servingPrimary(shard: shard)
                if let from, before != from {
                    results.append(["shard": shard, "primary": before, "moved": false])
                    if !json { print("shard \(shard): primary is \(before), not \(from): nothing to move") }
                    continue
                }
                if let to, before == to {
                    results.append(["shard": shard, "primary": before, "moved": false])
                    if !json { print("shard \(shard): \(to) is already the primary") }
                    continue
                }
                let done = try await client.transferLeadership(shard: shard, to: to, timeoutSeconds: timeout)
                let serving = try await waitUntilServing(client, shard: shard, expected: done.newPrimary)
                let elapsed = (ContinuousClock.now - started).components
                let millis = Int(elapsed.seconds) * 1000 + Int(elapsed.attoseconds / 1_000_000_000_000_000)
                results.append([
                    "shard": shard, "from": done.previousPrimary, "to": serving, "term": done.term, "milliseconds": millis, "moved": true,
                ])
                if !json {
                    print("shard \(shard): \(done.previousPrimary) → \(serving) in \(millis) ms (term \(done.term))")
                }
            } catch {
                failed = true
                results.append(["shard": shard, "error": "\(error)"])
                if !json { print("shard \(shard): failover failed: \(error)") }
            }
        }
        await client.close()
        if json {
            let data = try JSONSerialization.data(withJSONObject: ["failovers": results], options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
        if failed { throw ExitCode(1) }
    }

    /// Waits until a primary serves the shard again and returns it (normally `expected`).
    private func waitUntilServing(_ client: ParasolClient, shard: Int, expected: String) async throws -> String {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        var serving = try await client.servingPrimary(shard: shard)
        while serving != expected && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            serving = try await client.servingPrimary(shard: shard)
        }
        return serving
    }
}
