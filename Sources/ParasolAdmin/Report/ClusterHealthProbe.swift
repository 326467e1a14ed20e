import Foundation

/// Asks every node of a cluster for `/health` and `/shards` at once, each node with its own
/// short deadline, and turns every failure into a finding instead of an error.
public struct ClusterHealthProbe: Sendable {
    /// One node's admin address.
    public struct Target: Sendable, Equatable {
        public var node: String
        public var host: String
        public var port: Int

        public init(node: String, host: String, port: Int) {
            self.node = node
            self.host = host
            self.port = port
        }
    }

    private let client: AdminHTTPClient
    private let perNodeTimeout: Duration

    public init(client: AdminHTTPClient = AdminHTTPClient(), perNodeTimeout: Duration) {
        self.client = client
        self.perNodeTimeout = perNodeTimeout
    }

    /// One probe per target, in the targets' order.
    public func probe(_ targets: [Target]) async -> [NodeProbe] {
        await withTaskGroup(of: (Int, NodeProbe).self) { group in
            for (index, target) in targets.enumerated() {
                group.addTask { (index, await probe(target)) }
            }
            var probes = [NodeProbe?](repeating: nil, count: targets.count)
            for await (index, probe) in group {
                probes[index] = probe
            }
            return probes.map { $0! }
        }
    }

    private func probe(_ target: Target) async -> NodeProbe {
        let address = "\(target.host):\(target.port)"
        async let health = fetch(NodeHealth.self, target, "/health")
        async let shards = fetch(ClusterShards.self, target, "/shards")
        let outcome: NodeProbe.Outcome
        switch (await health, await shards) {
        case (.success(let health), .success(let shards)):
            outcome = .answered(health: health, shards: shards)
        case (.failure(let reason), _), (_, .failure(let reason)):
            outcome = .unreachable(reason: reason.description)
        }
        return NodeProbe(node: target.node, address: address, outcome: outcome)
    }

    private struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private func fetch<View: Decodable>(_ type: View.Type, _ target: Target, _ path: String) async -> Result<View, Failure> {
        let response: AdminHTTPResponse
        do {
            response = try await client.get(host: target.host, port: target.port, target: path, timeout: perNodeTimeout)
        } catch {
            return .failure(Failure(description: error.description))
        }
        guard response.status == 200 else {
            let message = (try? AdminJSON.decoder().decode(AdminErrorBody.self, from: Data(response.body)))?.error.message
            return .failure(Failure(description: "\(path) answered \(response.status)\(message.map { ": \($0)" } ?? "")"))
        }
        do {
            return .success(try AdminJSON.decoder().decode(View.self, from: Data(response.body)))
        } catch {
            return .failure(Failure(description: "\(path) answered JSON that does not match Protocols/admin.md: \(error)"))
        }
    }
}
