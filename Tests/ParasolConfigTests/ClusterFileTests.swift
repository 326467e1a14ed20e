import Foundation
import ParasolConfig
import Testing

@Suite struct ClusterFileTests {
    static let valid = """
        name: test
        shards: 4
        replication: 1
        nodes:
          - id: n1
            data: 127.0.0.1:7000
            admin: 127.0.0.1:7001
            dir: /tmp/parasol-n1
          - id: n2
            data: 127.0.0.1:7002
            admin: 127.0.0.1:7003
            dir: /tmp/parasol-n2
        """

    @Test func parsesAValidFileWithDefaults() throws {
        let config = try ClusterFile.parse(Self.valid, path: "test.yaml")
        #expect(config.name == "test")
        #expect(config.shardCount == 4)
        #expect(config.nodes.map(\.id) == ["n1", "n2"])
        #expect(config.nodes[1].dataAddress == HostPort(host: "127.0.0.1", port: 7002))
        #expect(config.durability == .fsync)
        #expect(config.frameBytesMax == ClusterConfig.defaultFrameBytesMax)
    }

    @Test func renderedFilesReadBackIdentically() throws {
        var config = ClusterConfig.local(nodes: 5, replication: 3, shards: 16, basePort: 9000, directory: "/var/parasol")
        config.token = "s3cret"
        config.durability = .none
        let parsed = try ClusterFile.parse(ClusterFile.render(config), path: "x.yaml")
        #expect(parsed == config)
    }

    @Test(arguments: [
        ("shards: 4", "shards: many", "x.yaml:2: field 'shards': expected a whole number, found 'many'"),
        ("shards: 4", "shards: 0", "x.yaml:2: field 'shards': 0 is outside 1…4096"),
        ("replication: 1", "replication: 3", "x.yaml:3: field 'replication': replication factor 3 needs at least 3 nodes; the file has 2"),
        ("data: 127.0.0.1:7002", "data: 127.0.0.1", "x.yaml:10: field 'data': '127.0.0.1' is not host:port with a port in 1…65535"),
        ("data: 127.0.0.1:7002", "data: 127.0.0.1:7000", "x.yaml:10: field 'data': address 127.0.0.1:7000 is already used by n1.data"),
        ("  - id: n2", "  - id: n1", "x.yaml:9: field 'id': node id 'n1' appears twice"),
        ("name: test", "nmae: test", "x.yaml:1: unknown field 'nmae' (a typo?)"),
        ("    dir: /tmp/parasol-n2", "", "x.yaml:9: missing required field 'dir'"),
    ])
    func wrongFieldsAreNamedWithTheirLine(original: String, replacement: String, message: String) {
        let text = Self.valid.replacingOccurrences(of: original, with: replacement)
        #expect(throws: (any Error).self) { try ClusterFile.parse(text, path: "x.yaml") }
        do {
            _ = try ClusterFile.parse(text, path: "x.yaml")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func syntaxErrorsNameTheLine() {
        do {
            _ = try ClusterFile.parse("name: a\nshards: [1, 2\nnodes: x\n", path: "bad.yaml")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.description.hasPrefix("bad.yaml:"))
            #expect(error.description.contains("not valid YAML"))
        }
    }

    @Test func unknownNodeListsTheKnownOnes() throws {
        let config = try ClusterFile.parse(Self.valid, path: "x.yaml")
        #expect(throws: ClusterConfigError.unknownNode(id: "n9", known: ["n1", "n2"])) { try config.node("n9") }
    }

    @Test func loadResolvesRelativeDirectoriesAndTokenFromEnvironment() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parasol-config-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("c.yaml").path
        try Self.valid.replacingOccurrences(of: "/tmp/parasol-n1", with: "data/n1").write(toFile: path, atomically: true, encoding: .utf8)
        let config = try ClusterFile.load(path: path, environment: ["PARASOL_TOKEN": "from-env"])
        #expect(config.nodes[0].dataDirectory == folder.path + "/data/n1")
        #expect(config.nodes[1].dataDirectory == "/tmp/parasol-n2")
        #expect(config.token == "from-env")
    }

    @Test func missingFileIsReportedByPath() {
        #expect(throws: (any Error).self) { try ClusterFile.load(path: "/nonexistent/parasol.yaml") }
    }
}

@Suite struct ShardPlacementTests {
    @Test func everyShardHasDistinctReplicasAndPrimariesAreSpread() {
        let config = ClusterConfig.local(nodes: 5, replication: 3, shards: 20, basePort: 9000, directory: "/d")
        let placement = ShardPlacement(config)
        var primaries: [String: Int] = [:]
        for shard in 0..<20 {
            let replicas = placement.replicas(of: shard)
            #expect(Set(replicas).count == 3)
            primaries[replicas[0], default: 0] += 1
        }
        #expect(primaries.values.allSatisfy { $0 == 4 })
        #expect(placement.shards(on: "n1").count == 12)
    }

    @Test func tensorShardIsStableFNV1a() {
        // FNV-1a 64 of "" is the offset basis; of "a" is 0xaf63dc4c8601ec8c.
        #expect(ShardPlacement.shard(ofTensor: "a", shardCount: Int(Int32.max)) == Int(0xaf63_dc4c_8601_ec8c % UInt64(Int32.max)))
        #expect(ShardPlacement.shard(ofTensor: "mlp/w1", shardCount: 8) == ShardPlacement.shard(ofTensor: "mlp/w1", shardCount: 8))
    }
}
