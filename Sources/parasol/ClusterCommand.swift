import ArgumentParser
import Foundation
import ParasolConfig

/// `parasol cluster`: make and run local clusters.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster", abstract: "Make a local cluster file, or run every node of a cluster on this machine.",
        subcommands: [ClusterInitCommand.self, ClusterUpCommand.self])
}

/// `parasol cluster init`: writes a cluster file for N nodes on 127.0.0.1.
struct ClusterInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Write a cluster file for N nodes on 127.0.0.1 with ports counted up from --port.")

    @Option(help: "Number of server nodes.") var nodes: Int = 3
    @Option(help: "Replication factor (1–5, at most --nodes).") var replication: Int = 1
    @Option(help: "Number of shards.") var shards: Int = 8
    @Option(help: "First port; node i gets data port BASE+2(i-1) and admin port one above.") var port: Int = 7100
    @Option(help: "Folder for the nodes' data directories (relative paths are relative to the output file).") var dir: String = "data"
    @Option(name: .shortAndLong, help: "Where to write the cluster file.") var output: String
    @Option(help: "Cluster name.") var name: String = "local"

    func validate() throws {
        guard (1...64).contains(nodes) else { throw ValidationError("--nodes must be 1…64, got \(nodes)") }
        guard (1...5).contains(replication), replication <= nodes else {
            throw ValidationError("--replication must be 1…5 and at most --nodes (\(nodes)), got \(replication)")
        }
        guard (1...4096).contains(shards) else { throw ValidationError("--shards must be 1…4096, got \(shards)") }
        guard (1...65535).contains(port), port + 2 * nodes - 1 <= 65535 else {
            throw ValidationError("--port \(port) leaves no room for \(2 * nodes) ports below 65536")
        }
    }

    func run() throws {
        let config = ClusterConfig.local(name: name, nodes: nodes, replication: replication, shards: shards, basePort: port, directory: dir)
        let text = ClusterFile.render(config)
        // Round-trip through the reader so that init can never write a file load would reject.
        _ = try ClusterFile.parse(text, path: output)
        do {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
        } catch {
            throw ValidationError("cannot write \(output): \((error as NSError).localizedDescription)")
        }
        print("wrote \(output): \(nodes) node(s), \(shards) shard(s), replication \(replication), ports \(port)…\(port + 2 * nodes - 1)")
    }
}
