import Foundation
import Testing

@testable import ParasolAdmin

@Suite("admin routes")
struct AdminRouterTests {
    func router(token: String = "", dataSource: FakeDataSource = FakeDataSource()) -> AdminRouter {
        AdminRouter(dataSource: dataSource, metricsFactory: ParasolMetricsFactory(), token: token)
    }

    func request(_ method: String, _ target: String, authorization: String? = nil) -> AdminRequest {
        AdminRequest(method: method, target: target, authorization: authorization, body: [])
    }

    func errorCode(_ response: AdminResponse) throws -> String {
        try AdminJSON.decoder().decode(AdminErrorBody.self, from: Data(response.body)).error.code
    }

    @Test("GET /health, /shards and /shards/{id} answer the data source's views as JSON")
    func views() async throws {
        let source = FakeDataSource()
        let router = router(dataSource: source)
        let health = await router.route(request("GET", "/health"))
        #expect(health.status == 200 && health.contentType == "application/json")
        #expect(try AdminJSON.decoder().decode(NodeHealth.self, from: Data(health.body)) == source.health)
        let shards = await router.route(request("GET", "/shards"))
        #expect(try AdminJSON.decoder().decode(ClusterShards.self, from: Data(shards.body)) == source.shards)
        let detail = await router.route(request("GET", "/shards/1"))
        let expected = await source.shardDetail(1)
        #expect(try AdminJSON.decoder().decode(ShardDetail.self, from: Data(detail.body)) == expected)
    }

    @Test("a shard detail keeps the summary's fields at the top level of its JSON")
    func detailIsFlat() async throws {
        let response = await router().route(request("GET", "/shards/0"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(Set(object.keys) == ["shard", "primary", "term", "commitIndex", "replicas", "status", "leadershipChanges"])
    }

    @Test("errors carry their status and JSON code")
    func errors() async throws {
        let router = router()
        let cases: [(AdminRequest, Int, String)] = [
            (request("GET", "/nope"), 404, "notFound"),
            (request("GET", "/shards/7"), 404, "notFound"),
            (request("GET", "/shards/x"), 400, "badRequest"),
            (request("GET", "/shards/-1"), 400, "badRequest"),
            (request("DELETE", "/health"), 405, "methodNotAllowed"),
            (request("GET", "/shards/0/failover"), 405, "methodNotAllowed"),
            (request("POST", "/shards/9/failover"), 404, "notFound"),
            (request("POST", "/shards/0/failover?to=n9"), 400, "badRequest"),
            (request("POST", "/shards/0/failover?to="), 400, "badRequest"),
            (request("POST", "/shards/0/failover?bogus=1"), 400, "badRequest"),
        ]
        for (request, status, code) in cases {
            let response = await router.route(request)
            #expect(response.status == status, "\(request.method) \(request.target)")
            #expect(try errorCode(response) == code, "\(request.method) \(request.target)")
        }
        let notAllowed = await router.route(request("PUT", "/metrics"))
        #expect(notAllowed.extraHeaders == [.init(name: "allow", value: "GET")])
    }

    @Test("failover needs the bearer token when the cluster has one")
    func failoverToken() async throws {
        let router = router(token: "s3cret")
        for authorization in [nil, "Bearer wrong", "Basic s3cret", "Bearer s3cret2"] {
            let response = await router.route(request("POST", "/shards/0/failover?to=n2", authorization: authorization))
            #expect(response.status == 401, "Authorization: \(authorization ?? "none")")
            #expect(try errorCode(response) == "unauthorized")
            #expect(response.extraHeaders.contains(where: { $0.name == "www-authenticate" }))
        }
        let accepted = await router.route(request("POST", "/shards/0/failover?to=n2", authorization: "bearer s3cret"))
        #expect(accepted.status == 200)
        #expect(try AdminJSON.decoder().decode(FailoverOutcome.self, from: Data(accepted.body))
            == FailoverOutcome(shard: 0, previousPrimary: "n1", newPrimary: "n2", term: 5))
    }

    @Test("without a cluster token failover is open")
    func failoverWithoutToken() async {
        #expect(await router().route(request("POST", "/shards/1/failover")).status == 200)
    }

    @Test("livez is 200; readyz is 503 naming the shard without a primary")
    func probes() async throws {
        #expect(await router().route(request("GET", "/livez")).status == 200)
        #expect(await router().route(request("GET", "/readyz")).status == 200)
        let unready = await router(dataSource: FakeDataSource(shardWithoutPrimary: 1)).route(request("GET", "/readyz"))
        #expect(unready.status == 503)
        let body = try AdminJSON.decoder().decode(AdminErrorBody.self, from: Data(unready.body))
        #expect(body.error.code == "notReady" && body.error.message.contains("shard 1"))
    }

    @Test("the token comparison is exact")
    func tokenComparison() {
        #expect(BearerToken.matches(presented: "abc", expected: "abc"))
        #expect(!BearerToken.matches(presented: "abd", expected: "abc"))
        #expect(!BearerToken.matches(presented: "ab", expected: "abc"))
        #expect(!BearerToken.matches(presented: "abcd", expected: "abc"))
    }
}
