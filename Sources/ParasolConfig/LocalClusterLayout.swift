/// The layout `parasol cluster init` writes: N nodes on 127.0.0.1 with ports counted up from a
/// base, so anyone can make a cluster on ports that are free on their machine.
extension ClusterConfig {
    /// Node `i` (from 1) is `n<i>` with data port `basePort + 2(i-1)` and admin port one above.
    public static func local(
        name: String = "local", nodes: Int, replication: Int, shards: Int, basePort: Int, directory: String
    ) -> ClusterConfig {
        let nodeConfigs = (1...max(nodes, 1)).map { index in
            let port = basePort + 2 * (index - 1)
            return NodeConfig(
                id: "n\(index)",
                dataAddress: HostPort(host: "127.0.0.1", port: port),
                adminAddress: HostPort(host: "127.0.0.1", port: port + 1),
                dataDirectory: directory + "/n\(index)")
        }
        return ClusterConfig(name: name, shardCount: shards, replicationFactor: replication, nodes: nodeConfigs)
    }
}
