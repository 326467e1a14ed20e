/// What asking one node for `/health` and `/shards` produced: both answers, or why not.
public struct NodeProbe: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case answered(health: NodeHealth, shards: ClusterShards)
        /// The node could not be asked or did not answer in time; `reason` says which.
        case unreachable(reason: String)
    }

    public var node: String
    /// `host:port` of the node's admin plane, for the report.
    public var address: String
    public var outcome: Outcome

    public init(node: String, address: String, outcome: Outcome) {
        self.node = node
        self.address = address
        self.outcome = outcome
    }
}
