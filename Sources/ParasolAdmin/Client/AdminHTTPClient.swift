import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One HTTP/1.1 response as `AdminHTTPClient` received it.
public struct AdminHTTPResponse: Sendable, Equatable {
    public var status: Int
    /// Header names lower-cased; a repeated header keeps its last value.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A tiny HTTP/1.1 client for the admin plane: one connection per request, one deadline for
/// connect, send and receive together. `parasol health` uses it to ask every node at once
/// with a short deadline, so one hung node costs the deadline, not a hang.
public struct AdminHTTPClient: Sendable {
    private let group: any EventLoopGroup
    private let responseBytesMax: Int

    /// - Parameter responseBytesMax: bodies above this fail with `.responseTooLarge`; 16 MiB
    ///   holds `/metrics` of a node with thousands of shards.
    public init(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, responseBytesMax: Int = 16 << 20) {
        self.group = group
        self.responseBytesMax = responseBytesMax
    }

    public func get(
        host: String, port: Int, target: String, headers: [String: String] = [:], timeout: Duration
    ) async throws(AdminHTTPClientError) -> AdminHTTPResponse {
        try await request(method: "GET", host: host, port: port, target: target, headers: headers, body: [], timeout: timeout)
    }

    public func post(
        host: String, port: Int, target: String, headers: [String: String] = [:], body: [UInt8] = [], timeout: Duration
    ) async throws(AdminHTTPClientError) -> AdminHTTPResponse {
        try await request(method: "POST", host: host, port: port, target: target, headers: headers, body: body, timeout: timeout)
    }

    /// Sends one request with `Connection: close` and returns the response, or fails when the
    /// whole exchange does not finish within `timeout`.
    public func request(
        method: String, host: String, port: Int, target: String, headers: [String: String], body: [UInt8],
        timeout: Duration
    ) async throws(AdminHTTPClientError) -> AdminHTTPResponse {
        let address = "\(host):\(port)"
        let loop = group.next()
        let promise = loop.makePromise(of: AdminHTTPResponse.self)
        let timeoutNanoseconds = timeout.nanoseconds
        let deadline = loop.scheduleTask(in: .nanoseconds(timeoutNanoseconds)) {
            promise.fail(AdminHTTPClientError.deadlineExceeded(address: address, timeoutSeconds: Double(timeoutNanoseconds) / 1e9))
        }
        let responseBytesMax = self.responseBytesMax
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.nanoseconds(timeoutNanoseconds))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        AdminResponseCollector(address: address, bodyBytesMax: responseBytesMax, promise: promise))
                }
            }
        var request = ByteBuffer()
        request.writeString("\(method) \(target) HTTP/1.1\r\nhost: \(address)\r\nconnection: close\r\n")
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
            request.writeString("\(name): \(value)\r\n")
        }
        request.writeString("content-length: \(body.count)\r\n\r\n")
        request.writeBytes(body)
        let requestBytes = request

        bootstrap.connect(host: host, port: port).whenComplete { result in
            switch result {
            case .success(let channel):
                promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
                channel.writeAndFlush(requestBytes, promise: nil)
            case .failure(let error):
                promise.fail(AdminHTTPClientError.connectFailed(address: address, reason: Self.describe(error)))
            }
        }
        defer { deadline.cancel() }
        do {
            return try await promise.futureResult.get()
        } catch let error as AdminHTTPClientError {
            throw error
        } catch {
            throw .connectFailed(address: address, reason: Self.describe(error))
        }
    }

    /// A short human phrase for a connect failure ("Connection refused", "no address for
    /// host x") instead of NIO's nested error dump.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first {
                return describe(first.error)
            }
            if let dns = error.dnsAError ?? error.dnsAAAAError {
                return "cannot resolve \(error.host): \(describe(dns))"
            }
            return "no address for host \(error.host)"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode))
        case ChannelError.connectTimeout:
            return "connect timed out"
        default:
            return String(describing: error)
        }
    }
}

/// Collects the response bytes of one `AdminHTTPClient` request and completes its promise.
private final class AdminResponseCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let address: String
    private let promise: EventLoopPromise<AdminHTTPResponse>
    private var parser: HTTP1ResponseParser
    private var received = ByteBuffer()
    private var done = false

    init(address: String, bodyBytesMax: Int, promise: EventLoopPromise<AdminHTTPResponse>) {
        self.address = address
        self.parser = HTTP1ResponseParser(bodyBytesMax: bodyBytesMax)
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        step(endOfInput: false)
    }

    func channelInactive(context: ChannelHandlerContext) {
        step(endOfInput: true)
        if !done {
            done = true
            promise.fail(AdminHTTPClientError.closedEarly(address: address))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done {
            done = true
            promise.fail(AdminHTTPClientError.ioFailed(address: address, reason: AdminHTTPClient.describe(error)))
        }
        context.close(promise: nil)
    }

    private func step(endOfInput: Bool) {
        guard !done else { return }
        switch parser.parse(&received, endOfInput: endOfInput) {
        case .needMoreData:
            return
        case .complete(let response):
            done = true
            promise.succeed(response)
        case .failure(let reason):
            done = true
            promise.fail(AdminHTTPClientError.malformedResponse(address: address, reason: reason))
        case .tooLarge:
            done = true
            promise.fail(AdminHTTPClientError.responseTooLarge(address: address, limitBytes: parser.bodyBytesMax))
        }
    }
}

@available(*, unavailable)
extension AdminResponseCollector: Sendable {}
