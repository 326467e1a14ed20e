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
}
