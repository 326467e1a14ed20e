import Foundation
import NIOCore
import NIOPosix
import ParasolAdmin
import Testing

/// An admin server on a free 127.0.0.1 port with a fake data source, for one test.
struct RunningServer {
    let server: AdminServer
    let metrics: ParasolMetrics
    let factory: ParasolMetricsFactory
    var port: Int { server.port }
    var base: String { "http://127.0.0.1:\(server.port)" }

    static func start(dataSource: FakeDataSource = FakeDataSource(), token: String = "", limits: AdminLimits = AdminLimits())
        async throws -> RunningServer
    {
        let factory = ParasolMetricsFactory()
        let metrics = ParasolMetrics(factory: factory)
        let server = try await AdminServer.start(
            configuration: .init(host: "127.0.0.1", port: 0, token: token, limits: limits), dataSource: dataSource,
            metricsFactory: factory, metrics: metrics)
        return RunningServer(server: server, metrics: metrics, factory: factory)
    }

    func get(_ target: String, headers: [String: String] = [:]) async throws -> AdminHTTPResponse {
        try await AdminHTTPClient().get(host: "127.0.0.1", port: port, target: target, headers: headers, timeout: .seconds(30))
    }

    func post(_ target: String, headers: [String: String] = [:]) async throws -> AdminHTTPResponse {
        try await AdminHTTPClient().post(host: "127.0.0.1", port: port, target: target, headers: headers, timeout: .seconds(30))
    }
}

extension AdminHTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try AdminJSON.decoder().decode(type, from: Data(body))
    }
}

/// A command-line tool the tests drive (curl, h2load, promtool). A missing tool fails the test
/// with the package that provides it, because skipping would hide that nothing was checked.
struct ExternalTool {
    struct Missing: Error, CustomStringConvertible {
        var tool: String
        var package: String
        var description: String {
            "\(tool) is not installed (apt package \(package)); run Tools/install-deps.sh or `make test`"
        }
    }

    struct Result {
        var exitCode: Int32
        var stdout: String
        var stderr: String
    }

    let path: String

    init(_ name: String, package: String) throws {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        guard let found = directories.map({ "\($0)/\(name)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else {
            throw Missing(tool: name, package: package)
        }
        path = found
    }

    /// Runs the tool to completion. Its stdin, stdout and stderr are temporary files and
    /// completion comes from `terminationHandler`, so no thread blocks while it runs (blocking
    /// dispatch threads makes libdispatch add threads slowly and stalls parallel tests).
    func run(_ arguments: [String], stdin: [UInt8] = []) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parasol-admin-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("stdin")
        let outputURL = directory.appendingPathComponent("stdout")
        let errorURL = directory.appendingPathComponent("stderr")
        try Data(stdin).write(to: inputURL)
        try Data().write(to: outputURL)
        try Data().write(to: errorURL)
        let input = try FileHandle(forReadingFrom: inputURL)
        let output = try FileHandle(forWritingTo: outputURL)
        let errors = try FileHandle(forWritingTo: errorURL)
        defer {
            try? input.close()
            try? output.close()
            try? errors.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let exitCode: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Result(
            exitCode: exitCode, stdout: String(decoding: try Data(contentsOf: outputURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errorURL), as: UTF8.self))
    }
}

/// curl over HTTP/2 with prior knowledge: status code, negotiated HTTP version and body.
struct CurlResponse {
    var status: Int
    var httpVersion: String
    var body: String
}

func curlHTTP2(_ url: String, method: String = "GET", headers: [String] = []) async throws -> CurlResponse {
    let curl = try ExternalTool("curl", package: "curl")
    var arguments = ["-sS", "--http2-prior-knowledge", "-X", method, "-o", "-", "-w", "\n%{http_code} %{http_version}", "--max-time", "10"]
    for header in headers {
        arguments += ["-H", header]
    }
    arguments.append(url)
    let result = try await curl.run(arguments)
    guard result.exitCode == 0 else {
        throw CurlFailed(exitCode: result.exitCode, stderr: result.stderr)
    }
    var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    let trailer = lines.removeLast().split(separator: " ")
    return CurlResponse(status: Int(trailer[0]) ?? -1, httpVersion: String(trailer[1]), body: lines.joined(separator: "\n"))
}

struct CurlFailed: Error, CustomStringConvertible {
    var exitCode: Int32
    var stderr: String
    var description: String { "curl exited \(exitCode): \(stderr)" }
}

/// Sends raw bytes on a fresh connection and returns everything the server sent until it
/// closed the connection (or `timeout` passed, which is reported as an error).
func exchangeRaw(port: Int, bytes: [UInt8], timeout: TimeAmount = .seconds(10)) async throws -> [UInt8] {
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    let promise = loop.makePromise(of: [UInt8].self)
    let channel = try await ClientBootstrap(group: loop)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(UntilCloseCollector(promise: promise))
            }
        }
        .connect(host: "127.0.0.1", port: port).get()
    let timer = loop.scheduleTask(in: timeout) { promise.fail(RawExchangeTimedOut()) }
    defer { timer.cancel() }
    do {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    } catch where !channel.isActive {
        // The server closed the connection before the bytes went out (on a loaded machine an
        // idle timeout can fire first): report what arrived, as for a close after the write.
        return try await promise.futureResult.get()
    }
    do {
        return try await promise.futureResult.get()
    } catch {
        try? await channel.close()
        throw error
    }
}

struct RawExchangeTimedOut: Error, CustomStringConvertible {
    var description: String { "the server did not close the connection" }
}

private final class UntilCloseCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let promise: EventLoopPromise<[UInt8]>
    private var received: [UInt8] = []

    init(promise: EventLoopPromise<[UInt8]>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytesView
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.succeed(received)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
