import Foundation
import ParasolAdmin
import ParasolConfig

/// Reads which node a node's admin plane names as a shard's primary (`GET /shards/{id}`,
/// field `primary`): what an operator or a dashboard sees.
struct AdminShardProbe: Sendable {
    private let client = AdminHTTPClient()

    /// The primary `node` reports for `shard`, nil when it reports none or does not answer.
    func primary(of shard: Int, askingNode node: NodeConfig) async -> String? {
        guard
            let response = try? await client.get(
                host: node.adminAddress.host, port: node.adminAddress.port, target: "/shards/\(shard)", timeout: .milliseconds(300)),
            response.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        else { return nil }
        return object["primary"] as? String
    }

    /// Elections caused by losing a primary since the nodes started (`GET /health`, field
    /// `electionsSeen`): per shard the largest count any node reports, summed over shards.
    /// Nil when a node does not answer.
    func electionsSeen(askingNodes nodes: [NodeConfig]) async -> Int? {
        var byShard: [Int: Int] = [:]
        for node in nodes {
            guard
                let response = try? await client.get(
                    host: node.adminAddress.host, port: node.adminAddress.port, target: "/health", timeout: .seconds(2)),
                response.status == 200,
                let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                let shards = object["shards"] as? [[String: Any]]
            else { return nil }
            for shard in shards {
                guard let id = shard["shard"] as? Int, let seen = shard["electionsSeen"] as? Int else { return nil }
                byShard[id] = max(byShard[id] ?? 0, seen)
            }
        }
        return byShard.values.reduce(0, +)
    }
}
