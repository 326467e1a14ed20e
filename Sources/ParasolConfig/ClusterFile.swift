import Foundation
import Yams

/// Reads and writes cluster files (YAML). Parsing walks Yams' node tree rather than decoding
/// with `Codable` so that every error can name the line it is on.
public enum ClusterFile {
    /// Loads and validates `path`. Relative data directories are resolved against the folder
    /// holding the file, so a cluster file works from any working directory. `environment`
    /// supplies `PARASOL_TOKEN`, which overrides the file's token.
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ClusterConfigError) -> ClusterConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        var config = try parse(text, path: path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        for index in config.nodes.indices where !config.nodes[index].dataDirectory.hasPrefix("/") {
            config.nodes[index].dataDirectory = URL(fileURLWithPath: folder + "/" + config.nodes[index].dataDirectory).standardized.path
        }
        if let token = environment["PARASOL_TOKEN"], !token.isEmpty {
            config.token = token
        }
        return config
    }

    /// Parses cluster file text; `path` is only used in error messages.
    public static func parse(_ text: String, path: String) throws(ClusterConfigError) -> ClusterConfig {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ClusterConfigError.syntax(path: path, line: 1, reason: "the file is empty")
            }
            root = node
        } catch let error as ClusterConfigError {
            throw error
        } catch let error as YamlError {
            throw .syntax(path: path, line: Self.line(of: error), reason: "\(error)")
        } catch {
            throw .syntax(path: path, line: 1, reason: "\(error)")
        }
        var reader = FieldReader(path: path)
        return try reader.cluster(root)
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return 1
        }
    }

    /// The text of a cluster file for `config`, in the layout `load` reads.
    public static func render(_ config: ClusterConfig) -> String {
        var lines = [
            "# Parasol cluster file: see README.md, \"The cluster file\".",
            "name: \(config.name)",
            "shards: \(config.shardCount)",
            "replication: \(config.replicationFactor)",
            "durability: \(config.durability.rawValue)",
            "frameBytesMax: \(config.frameBytesMax)",
            "idleTimeoutSeconds: \(config.idleTimeoutSeconds)",
        ]
        if !config.token.isEmpty {
            lines.append("token: \"\(config.token)\"")
        }
        lines += [
            "snapshot:",
            "  everyUpdates: \(config.snapshot.everyUpdates)",
            "  everySeconds: \(config.snapshot.everySeconds)",
            "  keep: \(config.snapshot.keep)",
            "consensus:",
            "  heartbeatMillis: \(config.consensus.heartbeatMillis)",
            "  electionMillis: \(config.consensus.electionMillis)",
            "nodes:",
        ]
        for node in config.nodes {
            lines += [
                "  - id: \(node.id)",
                "    data: \(node.dataAddress)",
                "    admin: \(node.adminAddress)",
                "    dir: \(node.dataDirectory)",
            ]
            if let peer = node.peerAddress { lines.append("    peer: \(peer)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

// MARK: - Field-by-field reading with line numbers

private struct FieldReader {
    let path: String

    func cluster(_ root: Node) throws(ClusterConfigError) -> ClusterConfig {
        let fields = try mapping(root, field: "cluster")
        try rejectUnknown(fields, allowed: ["name", "shards", "replication", "token", "durability", "frameBytesMax", "idleTimeoutSeconds", "snapshot", "consensus", "nodes"])
        let name = try string(fields, "name", in: root)
        let shards = try int(fields, "shards", in: root, range: 1...4096)
        let nodesNode = try required(fields, "nodes", in: root)
        guard case .sequence(let sequence) = nodesNode else {
            throw .invalidField(path: path, field: "nodes", line: line(nodesNode), reason: "expected a list of nodes")
        }
        var nodes: [NodeConfig] = []
        for item in sequence {
            nodes.append(try node(item))
        }
        guard !nodes.isEmpty else {
            throw .invalidField(path: path, field: "nodes", line: line(nodesNode), reason: "a cluster needs at least one node")
        }
        try checkUnique(nodes, sequence: Array(sequence))
        let replication = try int(fields, "replication", in: root, range: 1...5)
        guard replication <= nodes.count else {
            throw .invalidField(
                path: path, field: "replication", line: line(fields["replication"] ?? root),
                reason: "replication factor \(replication) needs at least \(replication) nodes; the file has \(nodes.count)")
        }
        var config = ClusterConfig(name: name, shardCount: shards, replicationFactor: replication, nodes: nodes)
        if let token = fields["token"] {
            config.token = try scalarString(token, field: "token")
        }
        if let durability = fields["durability"] {
            let text = try scalarString(durability, field: "durability")
            guard let value = Durability(rawValue: text) else {
                throw .invalidField(path: path, field: "durability", line: line(durability), reason: "'\(text)' is not one of: fsync, none")
            }
            config.durability = value
        }
        if fields["frameBytesMax"] != nil {
            config.frameBytesMax = try int(fields, "frameBytesMax", in: root, range: 4096...(1 << 31 - 1))
        }
        if fields["idleTimeoutSeconds"] != nil {
            config.idleTimeoutSeconds = try int(fields, "idleTimeoutSeconds", in: root, range: 1...86_400)
        }
        if let snapshotNode = fields["snapshot"] {
            config.snapshot = try snapshot(snapshotNode)
        }
        if let consensusNode = fields["consensus"] {
            config.consensus = try consensus(consensusNode)
        }
        return config
    }

    func node(_ item: Node) throws(ClusterConfigError) -> NodeConfig {
        let fields = try mapping(item, field: "nodes[]")
        try rejectUnknown(fields, allowed: ["id", "data", "admin", "dir", "peer"])
        let id = try string(fields, "id", in: item)
        guard id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw .invalidField(path: path, field: "id", line: line(item), reason: "'\(id)' may hold only letters, digits, '-' and '_'")
        }
        return NodeConfig(
            id: id,
            dataAddress: try address(fields, "data", in: item),
            adminAddress: try address(fields, "admin", in: item),
            dataDirectory: try string(fields, "dir", in: item),
            peerAddress: fields["peer"] == nil ? nil : try address(fields, "peer", in: item))
    }

    func snapshot(_ node: Node) throws(ClusterConfigError) -> SnapshotPolicy {
        let fields = try mapping(node, field: "snapshot")
        try rejectUnknown(fields, allowed: ["everyUpdates", "everySeconds", "keep"])
        var policy = SnapshotPolicy()
        if fields["everyUpdates"] != nil { policy.everyUpdates = try int(fields, "everyUpdates", in: node, range: 0...Int(Int32.max)) }
        if fields["everySeconds"] != nil { policy.everySeconds = try int(fields, "everySeconds", in: node, range: 0...86_400 * 7) }
        if fields["keep"] != nil { policy.keep = try int(fields, "keep", in: node, range: 1...100) }
        return policy
    }

    func consensus(_ node: Node) throws(ClusterConfigError) -> ConsensusTiming {
        let fields = try mapping(node, field: "consensus")
        try rejectUnknown(fields, allowed: ["heartbeatMillis", "electionMillis"])
        var timing = ConsensusTiming()
        if fields["heartbeatMillis"] != nil {
            timing.heartbeatMillis = try int(fields, "heartbeatMillis", in: node, range: ConsensusTiming.tickMillis...10_000)
        }
        if fields["electionMillis"] != nil {
            timing.electionMillis = try int(fields, "electionMillis", in: node, range: 2 * ConsensusTiming.tickMillis...60_000)
        }
        guard timing.electionTicks > timing.heartbeatTicks else {
            throw .invalidField(
                path: path, field: "consensus.electionMillis", line: line(node),
                reason: "\(timing.electionMillis) must be above heartbeatMillis (\(timing.heartbeatMillis)): followers would campaign between two heartbeats")
        }
        return timing
    }

    func checkUnique(_ nodes: [NodeConfig], sequence: [Node]) throws(ClusterConfigError) {
        var ids: Set<String> = []
        var addresses: [HostPort: String] = [:]
        for (node, item) in zip(nodes, sequence) {
            guard ids.insert(node.id).inserted else {
                throw .invalidField(path: path, field: "id", line: line(item), reason: "node id '\(node.id)' appears twice")
            }
            for (field, address) in [("data", node.dataAddress), ("admin", node.adminAddress)] {
                if let other = addresses[address] {
                    let fieldLine = (try? mapping(item, field: "nodes[]"))?[field].map(line) ?? line(item)
                    throw .invalidField(path: path, field: field, line: fieldLine, reason: "address \(address) is already used by \(other)")
                }
                addresses[address] = "\(node.id).\(field)"
            }
        }
    }

    // MARK: Scalars

    func mapping(_ node: Node, field: String) throws(ClusterConfigError) -> [String: Node] {
        guard case .mapping(let mapping) = node else {
            throw .invalidField(path: path, field: field, line: line(node), reason: "expected a mapping of 'key: value' lines")
        }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string else {
                throw .invalidField(path: path, field: field, line: line(key), reason: "keys must be plain words")
            }
            fields[name] = value
        }
        return fields
    }

    func rejectUnknown(_ fields: [String: Node], allowed: Set<String>) throws(ClusterConfigError) {
        if let (name, node) = fields.filter({ !allowed.contains($0.key) }).min(by: { line($0.value) < line($1.value) }) {
            throw .unknownField(path: path, field: name, line: line(node))
        }
    }

    func required(_ fields: [String: Node], _ name: String, in parent: Node) throws(ClusterConfigError) -> Node {
        guard let node = fields[name] else {
            throw .missingField(path: path, field: name, line: line(parent))
        }
        return node
    }

    func scalarString(_ node: Node, field: String) throws(ClusterConfigError) -> String {
        guard case .scalar(let scalar) = node else {
            throw .invalidField(path: path, field: field, line: line(node), reason: "expected a single value")
        }
        return scalar.string
    }

    func string(_ fields: [String: Node], _ name: String, in parent: Node) throws(ClusterConfigError) -> String {
        let node = try required(fields, name, in: parent)
        let value = try scalarString(node, field: name)
        guard !value.isEmpty else {
            throw .invalidField(path: path, field: name, line: line(node), reason: "must not be empty")
        }
        return value
    }

    func int(_ fields: [String: Node], _ name: String, in parent: Node, range: ClosedRange<Int>) throws(ClusterConfigError) -> Int {
        let node = try required(fields, name, in: parent)
        guard let value = Int(try scalarString(node, field: name)) else {
            throw .invalidField(path: path, field: name, line: line(node), reason: "expected a whole number, found '\(node.string ?? "")'")
        }
        guard range.contains(value) else {
            throw .invalidField(path: path, field: name, line: line(node), reason: "\(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }

    func address(_ fields: [String: Node], _ name: String, in parent: Node) throws(ClusterConfigError) -> HostPort {
        let node = try required(fields, name, in: parent)
        let text = try scalarString(node, field: name)
        guard let address = HostPort(parsing: text) else {
            throw .invalidField(path: path, field: name, line: line(node), reason: "'\(text)' is not host:port with a port in 1…65535")
        }
        return address
    }

    func line(_ node: Node) -> Int {
        node.mark?.line ?? 1
    }
}
