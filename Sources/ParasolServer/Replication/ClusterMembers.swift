import ParasolConfig
import ParasolConsensus

/// The cluster file's node ids ("n1", "n2", …) as consensus `NodeID`s and back.
///
/// A node's consensus id is its position in the cluster file plus one (zero means "nobody" on
/// the wire). Every process derives the same numbers from the same file, so no id is ever
/// negotiated; reordering nodes in the file is a new cluster, like changing their ids.
struct ClusterMembers: Sendable {
    private let ids: [String]

    init(_ config: ClusterConfig) {
        ids = config.nodes.map(\.id)
    }

    func consensusID(of nodeID: String) -> NodeID? {
        ids.firstIndex(of: nodeID).map { NodeID(UInt64($0 + 1)) }
    }

    func nodeID(of consensusID: NodeID) -> String? {
        let position = Int(consensusID.rawValue) - 1
        return ids.indices.contains(position) ? ids[position] : nil
    }

    /// The cluster id of `consensusID`, or its consensus spelling when the file has no such node.
    func name(of consensusID: NodeID?) -> String? {
        consensusID.map { nodeID(of: $0) ?? $0.description }
    }
}
