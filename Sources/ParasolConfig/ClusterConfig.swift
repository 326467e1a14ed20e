/// Everything a Parasol command needs to know about a cluster, read from one cluster file.
///
/// Every command (server, worker, cluster up, health, snapshot) takes the same file, so the
/// shard placement, the addresses and the limits can never disagree between processes.
public struct ClusterConfig: Sendable, Equatable {
    public var name: String
    public var shardCount: Int
    public var replicationFactor: Int
    /// Empty when the cluster has no token. `PARASOL_TOKEN` overrides it (see `ClusterFile`).
    public var token: String
    public var durability: Durability
    public var frameBytesMax: Int
    /// A data connection that sends nothing for this long is closed by the node, so a peer
    /// that stops halfway through a frame cannot hold its buffer forever. Clients reconnect
    /// (and retry with the same push ids) on their next call, so an idle worker loses nothing.
    public var idleTimeoutSeconds: Int
    public var snapshot: SnapshotPolicy
    public var consensus: ConsensusTiming
    public var nodes: [NodeConfig]

    public init(
        name: String, shardCount: Int, replicationFactor: Int, token: String = "",
        durability: Durability = .fsync, frameBytesMax: Int = ClusterConfig.defaultFrameBytesMax,
        idleTimeoutSeconds: Int = ClusterConfig.defaultIdleTimeoutSeconds,
        snapshot: SnapshotPolicy = SnapshotPolicy(), consensus: ConsensusTiming = ConsensusTiming(), nodes: [NodeConfig]
    ) {
        self.name = name
        self.shardCount = shardCount
        self.replicationFactor = replicationFactor
        self.token = token
        self.durability = durability
        self.frameBytesMax = frameBytesMax
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.snapshot = snapshot
        self.consensus = consensus
        self.nodes = nodes
    }

    /// 256 MiB: large enough that a 64 MiB tensor travels in one frame, small enough that a
    /// bogus length prefix cannot make a node reserve gigabytes.
    public static let defaultFrameBytesMax = 256 << 20

    /// 10 minutes: far longer than a worker computes between two calls, short enough that
    /// abandoned connections do not pile up.
    public static let defaultIdleTimeoutSeconds = 600

    /// The node with this id, or an error that lists the ids the file does define.
    public func node(_ id: String) throws(ClusterConfigError) -> NodeConfig {
        guard let node = nodes.first(where: { $0.id == id }) else {
            throw .unknownNode(id: id, known: nodes.map(\.id))
        }
        return node
    }
}

/// When an acknowledged update is on disk.
public enum Durability: String, Sendable, Equatable, CaseIterable {
    /// Acknowledge after fdatasync of the write-ahead log (group-committed). The default.
    case fsync
    /// Acknowledge after write(2) only: a kill -9 keeps the data (the page cache survives the
    /// process) but a power loss or kernel crash can lose acknowledged updates. For benchmarks.
    case none
}

/// How often a shard writes a snapshot, which bounds log replay time on restart.
public struct SnapshotPolicy: Sendable, Equatable {
    /// Take a snapshot after this many applied commands since the last one (0 = never by count).
    public var everyUpdates: Int
    /// Take a snapshot when this many seconds passed since the last one and something changed
    /// (0 = never by time).
    public var everySeconds: Int
    /// How many good snapshots to keep per shard; older ones are deleted.
    public var keep: Int

    public init(everyUpdates: Int = 20_000, everySeconds: Int = 60, keep: Int = 2) {
        self.everyUpdates = everyUpdates
        self.everySeconds = everySeconds
        self.keep = keep
    }
}

/// How fast replica groups detect a dead primary, in milliseconds of wall time.
///
/// Servers tick their consensus groups every `tickMillis` (10 ms); these values are rounded to
/// whole ticks. The defaults (30 ms heartbeats, 150–300 ms randomized election timeouts) replace
/// a killed primary in about 200 ms on a LAN. Raise them on a slow or congested network: an
/// election timeout far above the worst round trip avoids needless elections.
public struct ConsensusTiming: Sendable, Equatable {
    public static let tickMillis = 10

    public var heartbeatMillis: Int
    /// The low end of the randomized election timeout; the high end is twice this.
    public var electionMillis: Int

    public init(heartbeatMillis: Int = 30, electionMillis: Int = 150) {
        self.heartbeatMillis = heartbeatMillis
        self.electionMillis = electionMillis
    }

    public var heartbeatTicks: Int { max(1, heartbeatMillis / Self.tickMillis) }
    public var electionTicks: Int { max(2, electionMillis / Self.tickMillis) }
}

/// One server node: where it listens and where it keeps its data.
public struct NodeConfig: Sendable, Equatable {
    public var id: String
    public var dataAddress: HostPort
    public var adminAddress: HostPort
    /// Absolute, or relative to the cluster file's folder.
    public var dataDirectory: String
    /// Where the other server nodes reach this one for replication, when that is not
    /// `dataAddress` (a separate network for replication traffic, a NAT or a proxy in front).
    /// The node itself always listens on `dataAddress`.
    public var peerAddress: HostPort?

    public init(id: String, dataAddress: HostPort, adminAddress: HostPort, dataDirectory: String, peerAddress: HostPort? = nil) {
        self.id = id
        self.dataAddress = dataAddress
        self.adminAddress = adminAddress
        self.dataDirectory = dataDirectory
        self.peerAddress = peerAddress
    }

    /// The address replication connections to this node go to.
    public var replicationAddress: HostPort { peerAddress ?? dataAddress }
}

/// A `host:port` pair as written in the cluster file.
public struct HostPort: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }

    /// Parses `host:port`; nil when the text is not of that form or the port is out of range.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let host = String(text[..<colon])
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            return nil
        }
        self.init(host: host, port: port)
    }
}
