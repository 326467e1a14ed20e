/// Turns one admin request into one response: routing, bearer-token check, argument parsing
/// and JSON encoding. It knows nothing about HTTP framing, so HTTP/1.1 and HTTP/2 share it and
/// tests can call it directly.
struct AdminRouter: Sendable {
    let dataSource: any AdminDataSource
    let metricsFactory: ParasolMetricsFactory
    /// Empty when the cluster has no token; then failover needs no `Authorization` header.
    let token: String

    func route(_ request: AdminRequest) async -> AdminResponse {
        do {
            return try await dispatch(request)
        } catch {
            return .error(error)
        }
    }

    private func dispatch(_ request: AdminRequest) async throws(AdminHTTPError) -> AdminResponse {
        let target = try AdminTarget(parsing: request.target)
        let segments = target.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        switch Array(segments) {
        case ["health"]:
            try requireMethod(request, "GET", path: target.path)
            return .json(await dataSource.nodeHealth())
        case ["shards"]:
            try requireMethod(request, "GET", path: target.path)
            return .json(await dataSource.clusterShards())
        case let parts where parts.count == 2 && parts[0] == "shards":
            try requireMethod(request, "GET", path: target.path)
            let shard = try shardID(parts[1])
            guard let detail = await dataSource.shardDetail(shard) else {
                throw .notFound("the cluster has no shard \(shard)")
            }
            return .json(detail)
        case let parts where parts.count == 3 && parts[0] == "shards" && parts[2] == "failover":
            try requireMethod(request, "POST", path: target.path)
            try requireToken(request)
            let shard = try shardID(parts[1])
            return try await failover(shard: shard, query: target.query)
        case ["metrics"]:
            try requireMethod(request, "GET", path: target.path)
            return AdminResponse(status: 200, contentType: AdminResponse.prometheusContentType, body: metricsFactory.exposition())
        case ["livez"]:
            try requireMethod(request, "GET", path: target.path)
            return .json(["status": "serving"])
        case ["readyz"]:
            try requireMethod(request, "GET", path: target.path)
            let health = await dataSource.nodeHealth()
            if let shard = health.firstShardWithoutPrimary {
                throw .notReady("shard \(shard) has no known primary")
            }
            return .json(["status": "ready"])
        default:
            throw .notFound("no admin route \(target.path); see Protocols/admin.md")
        }
    }

    private func failover(shard: Int, query: [String: String]) async throws(AdminHTTPError) -> AdminResponse {
        if let unknown = query.keys.sorted().first(where: { $0 != "to" }) {
            throw .badRequest("unknown query parameter '\(unknown)'; failover takes only 'to'")
        }
        let node = query["to"]
        if let node, node.isEmpty {
            throw .badRequest("'to' is empty; name a node id or leave 'to' out")
        }
        do {
            return .json(try await dataSource.failover(shard: shard, to: node))
        } catch {
            switch error {
            case .unknownShard: throw .notFound(error.description)
            case .notAReplica: throw .badRequest(error.description)
            case .notPrimary, .refused: throw .conflict(error.description)
            case .unavailable: throw .unavailable(error.description)
            }
        }
    }

    private func requireMethod(_ request: AdminRequest, _ method: String, path: String) throws(AdminHTTPError) {
        guard request.method == method else {
            throw .methodNotAllowed(method: request.method, path: path, allowed: [method])
        }
    }

    private func requireToken(_ request: AdminRequest) throws(AdminHTTPError) {
        guard !token.isEmpty else { return }
        guard let authorization = request.authorization else {
            throw .unauthorized("this cluster has a token; send 'Authorization: Bearer <token>'")
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw .unauthorized("the Authorization header is not of the form 'Bearer <token>'")
        }
        guard BearerToken.matches(presented: String(parts[1]), expected: token) else {
            throw .unauthorized("the bearer token does not match the cluster token")
        }
    }

    private func shardID(_ text: Substring) throws(AdminHTTPError) -> Int {
        guard let shard = Int(text), shard >= 0, text.allSatisfy(\.isASCII) else {
            throw .badRequest("shard id '\(text)' is not a non-negative integer")
        }
        return shard
    }
}

/// Compares tokens in time that does not depend on where they first differ, so a client cannot
/// find the token byte by byte by timing refusals.
enum BearerToken {
    static func matches(presented: String, expected: String) -> Bool {
        let a = Array(presented.utf8)
        let b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
