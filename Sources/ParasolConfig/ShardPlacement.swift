/// Which nodes hold which shard, computed from the cluster file alone so that every process
/// (servers, workers, operators' tools) derives the same placement without asking anyone.
///
/// Shard `s` lives on nodes `s, s+1, …, s+R-1` (mod N) in file order. The first of them is the
/// preferred primary, so at start every node is preferred primary for ⌈S/N⌉ or ⌊S/N⌋ shards.
public struct ShardPlacement: Sendable, Equatable {
    public let replicas: [[String]]

    public init(_ config: ClusterConfig) {
        let ids = config.nodes.map(\.id)
        replicas = (0..<config.shardCount).map { shard in
            (0..<config.replicationFactor).map { offset in ids[(shard + offset) % ids.count] }
        }
    }

    /// The node ids holding `shard`, preferred primary first.
    public func replicas(of shard: Int) -> [String] {
        replicas[shard]
    }

    /// The shards `nodeID` holds a replica of, in ascending order.
    public func shards(on nodeID: String) -> [Int] {
        replicas.indices.filter { replicas[$0].contains(nodeID) }
    }

    /// The shard a tensor lives on: FNV-1a of its name, so it is stable across languages and
    /// processes (Swift's `hashValue` is seeded per process and would not be).
    public static func shard(ofTensor name: String, shardCount: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int(hash % UInt64(shardCount))
    }
}
