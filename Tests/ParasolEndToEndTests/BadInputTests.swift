import Foundation
import NIOCore
import ParasolClient
import ParasolConfig
import ParasolWire
import Testing

/// Bad input from the network, the cluster file or the command line gets a clear error and
/// never takes down a node or disturbs other connections.
@Suite(.serialized) struct BadInputTests {
    @Test func garbageOversizedAndCorruptFramesCloseOnlyThatConnection() async throws {
        let cluster = try LocalCluster(nodes: 1, shards: 2, token: "t0ken")
        try await cluster.startAll()
        let port = cluster.config.nodes[0].dataAddress.port
        let client = ParasolClient(config: cluster.config)
        try await client.createTensor(CreateTensor(
            name: "w", kind: .dense, shape: [4], initializer: .zeros, optimizer: .sgd(learningRate: 1), ifNotExists: true))

        var oversized = ByteBufferAllocator().buffer(capacity: 64)
        FrameCodec.encode(Frame(requestID: 7, shardID: 0, flags: 0, message: .shardMapRequest), into: &oversized)
        var oversizedBytes = Array(oversized.readableBytesView)
        oversizedBytes.replaceSubrange(20..<24, with: [0xFF, 0xFF, 0xFF, 0x7F])  // payload length ~2 GiB

        var corrupt = ByteBufferAllocator().buffer(capacity: 64)
        FrameCodec.encode(Frame(requestID: 8, shardID: 0, flags: 0, message: .shardMapRequest), into: &corrupt)
        var corruptBytes = Array(corrupt.readableBytesView)
        corruptBytes[10] ^= 0x01  // request id byte: the CRC no longer matches

        let cases: [(String, [UInt8])] = [
            ("garbage", Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)),
            ("oversized length", oversizedBytes),
            ("bad crc", corruptBytes),
        ]
        for (name, bytes) in cases {
            let socket = try RawSocket(port: port)
            socket.send(bytes)
            let (reply, closed) = socket.readUntilClosed()
            #expect(closed, "\(name): the server should close the connection")
            var buffer = ByteBufferAllocator().buffer(capacity: reply.count)
            buffer.writeBytes(reply)
            let frame = try FrameCodec.decode(&buffer, frameBytesMax: 1 << 20)
            guard case .error(let error) = frame?.message else {
                Issue.record("\(name): expected an error frame, got \(String(describing: frame))")
                continue
            }
            #expect(error.code == .badFrame || error.code == .tooLarge, "\(name): \(error)")
            // The well-behaved client on its own connection is not disturbed.
            try await client.pushDense("w", gradient: [1, 1, 1, 1])
        }
        #expect(try await client.pullDense("w") == [-3, -3, -3, -3])
        await client.close()
        #expect(cluster.log(of: "n1").contains("closing connection"))
    }

    @Test func aPeerStalledHalfwayThroughAFrameIsClosedAndIdleClientsReconnect() async throws {
        let cluster = try LocalCluster(nodes: 1, shards: 1, idleTimeoutSeconds: 1)
        try await cluster.startAll()
        var frame = ByteBufferAllocator().buffer(capacity: 64)
        FrameCodec.encode(Frame(requestID: 1, shardID: 0, flags: 0, message: .shardMapRequest), into: &frame)
        let socket = try RawSocket(port: cluster.config.nodes[0].dataAddress.port, receiveTimeoutSeconds: 10)
        socket.send(Array(frame.readableBytesView.prefix(10)))
        let started = Date()
        let (_, closed) = socket.readUntilClosed()
        #expect(closed, "a stalled half frame should get its connection closed")
        #expect(Date().timeIntervalSince(started) < 9)

        let client = ParasolClient(config: cluster.config)
        try await client.createTensor(CreateTensor(
            name: "w", kind: .dense, shape: [1], initializer: .zeros, optimizer: .sgd(learningRate: -1), ifNotExists: true))
        try await client.pushDense("w", gradient: [1])
        try await Task.sleep(nanoseconds: 2_500_000_000)  // the node closes the idle session meanwhile
        try await client.pushDense("w", gradient: [1])
        #expect(try await client.pullDense("w") == [2])
        await client.close()
        #expect(cluster.log(of: "n1").contains("closing idle connection"))
    }

    @Test func wrongTokenIsRefusedAndChangesNothing() async throws {
        let cluster = try LocalCluster(nodes: 1, shards: 1, token: "right")
        try await cluster.startAll()
        let good = ParasolClient(config: cluster.config)
        try await good.createTensor(CreateTensor(
            name: "w", kind: .dense, shape: [2], initializer: .zeros, optimizer: .sgd(learningRate: 1), ifNotExists: true))
        var wrongConfig = cluster.config
        wrongConfig.token = "wrong"
        let bad = ParasolClient(config: wrongConfig, options: ClientOptions(token: "wrong", callDeadlineSeconds: 5))
        do {
            try await bad.pushDense("w", gradient: [1, 1])
            Issue.record("a push with the wrong token succeeded")
        } catch ParasolClientError.server(let reply) {
            #expect(reply.code == .unauthorized)
        }
        #expect(try await good.pullDense("w") == [0, 0])
        await bad.close()
        await good.close()
    }

    @Test func cliRejectsBadClusterFilesUnknownNodesAndBusyPorts() async throws {
        let cluster = try LocalCluster(nodes: 1, shards: 1)
        let badFile = cluster.folder.appendingPathComponent("bad.yaml").path
        try "name: x\nshards: two\nreplication: 1\nnodes: []\n".write(toFile: badFile, atomically: true, encoding: .utf8)
        let bad = try LocalCluster.run(["server", "--cluster", badFile, "--node", "n1"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("bad.yaml:2: field 'shards'"), "\(bad.stderr)")

        let unknown = try LocalCluster.run(["server", "--cluster", cluster.clusterFile, "--node", "n7"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no node 'n7'"), "\(unknown.stderr)")

        let orphan = try LocalCluster.run(["server", "--cluster", cluster.clusterFile, "--node", "n1", "--parent", "1"])
        #expect(orphan.status != 0)
        #expect(orphan.stderr.contains("--parent 1 is not the process that started this one"), "\(orphan.stderr)")

        try await cluster.startAll()
        let busy = try LocalCluster.run(["server", "--cluster", cluster.clusterFile, "--node", "n1"])
        #expect(busy.status != 0)
        #expect(busy.stderr.contains("cannot listen on 127.0.0.1:\(cluster.config.nodes[0].dataAddress.port)"), "\(busy.stderr)")
    }

    @Test func benchRejectsBadFlagsBeforeStartingAnything() throws {
        for (arguments, message) in [
            (["--sizes", "4MiB,3"], "--sizes: '3' is not a size of whole floats"),
            (["--sizes", "1GB"], "--sizes: '1GB' is not a size (a whole number of bytes, KiB or MiB"),
            (["--sizes", "9223372036854775807MiB"], "--sizes: '9223372036854775807MiB' is not a size of whole floats"),
            (["--sizes", "2"], "--sizes: '2' is not a size of whole floats"),
            // 1 MiB and 1 KiB are sizes: the next flag is the one refused.
            (["--sizes", "1MiB,1KiB", "--in-flight", "0"], "--in-flight: '0' is not a positive number of requests"),
            (["--snapshot-mib", "9007199254740992"], "--snapshot-mib 9007199254740992 is beyond 1 TiB"),
            (["--replication", "1,7"], "--replication: '7' is not a replication factor 1…5"),
            (["--only", "dense,speed"], "--only: unknown section 'speed'"),
            (["--snapshot-mib", "0"], "--snapshot-mib must be positive"),
            (["--durability", "sometimes"], "--durability must be fsync or none"),
            (["--in-flight", "1,0"], "--in-flight: '0' is not a positive number of requests"),
        ] {
            let result = try LocalCluster.run(["bench"] + arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }

    @Test func sigtermDrainsAndExitsCleanly() async throws {
        let cluster = try LocalCluster(nodes: 1, shards: 1)
        try await cluster.startAll()
        let client = ParasolClient(config: cluster.config)
        try await client.createTensor(CreateTensor(
            name: "w", kind: .dense, shape: [1], initializer: .zeros, optimizer: .sgd(learningRate: -1), ifNotExists: true))
        try await client.pushDense("w", gradient: [5])
        await client.close()
        #expect(cluster.terminate("n1") == 0)
        #expect(cluster.log(of: "n1").contains("node n1 stopped"))
        try cluster.start("n1")
        try await cluster.waitUntilServing("n1")
        let again = ParasolClient(config: cluster.config)
        #expect(try await again.pullDense("w") == [5])
        await again.close()
    }
}
