import Testing

@testable import ParasolAdmin

@Suite("request targets")
struct AdminTargetTests {
    @Test("path and percent-decoded query")
    func decodes() throws {
        let target = try AdminTarget(parsing: "/shards/3/failover?to=node%2D2&x=a+b")
        #expect(target.path == "/shards/3/failover")
        #expect(target.query == ["to": "node-2", "x": "a b"])
    }

    @Test("bad escapes, repeated keys and dot segments are 400", arguments: ["/a?to=%2", "/a?to=%zz", "/a?to=1&to=2", "/shards/../health", "*"])
    func rejects(_ text: String) {
        #expect(throws: AdminHTTPError.self) { try AdminTarget(parsing: text) }
    }
}
