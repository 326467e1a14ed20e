import Logging
import NIOCore
import NIOPosix
import ParasolConfig
import ParasolWire
import Synchronization

/// The worker side of Parasol: routes each tensor to its shard's primary, keeps one session per
/// node with many requests in flight, splits big tensors into frames, numbers pushes for
/// exactly-once delivery, and retries what is safe to retry until the call's deadline.
///
/// Safe to share between tasks: each call is independent, and a push retried after a dropped
/// connection or a restart keeps its sequence number, so the server applies it at most once.
public final class ParasolClient: Sendable {
    public let config: ClusterConfig
    public let options: ClientOptions
    private let placement: ShardPlacement
    private let group: MultiThreadedEventLoopGroup
    /// The executor of the loop this client's connections live on. Tasks that issue many small
    /// calls run cheapest there: `group.addTask(executorPreference: client.taskExecutor) { … }`.
    public var taskExecutor: any TaskExecutor { loopExecutor }
    private let loopExecutor: EventLoopTaskExecutor
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var connections: [String: Task<NodeConnection, any Error>] = [:]
        var primaryHints: [UInt32: String] = [:]
        var sequencer = PushSequencer()
        var tensorInfo: [String: TensorInfo] = [:]
        var versions: [String: UInt64] = [:]
        var closed = false
    }

    public init(config: ClusterConfig, options: ClientOptions = ClientOptions(), logger: Logger = Logger(label: "parasol.client")) {
        self.config = config
        var options = options
        if options.token.isEmpty { options.token = config.token }
        self.options = options
        self.placement = ShardPlacement(config)
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.loopExecutor = EventLoopTaskExecutor(eventLoop: group.next())
        self.logger = logger
    }

    /// Closes every connection. Calls in flight fail with `closed` or a connection error.
    public func close() async {
        let tasks = state.withLock { state in
            state.closed = true
            defer { state.connections = [:] }
            return Array(state.connections.values)
        }
        for task in tasks {
            if let connection = try? await task.value { await connection.close() }
        }
        loopExecutor.loopWillClose()
        try? await group.shutdownGracefully()
    }

    // MARK: Tensors

    /// Creates a tensor on its shard; with `ifNotExists` an identical existing tensor is fine.
    @discardableResult
    public func createTensor(_ definition: CreateTensor) async throws -> TensorCreated {
        let shard = shardID(of: definition.name)
        let reply = try await call("create \(definition.name)", shard: shard) { _ in .createTensor(definition) }
        guard case .tensorCreated(let created) = reply else { throw unexpected(reply, to: "create") }
        return created
    }

    /// Shape, kind, version and optimizer of a tensor (cached after the first call).
    public func describe(_ name: String) async throws -> TensorInfo {
        if let cached = state.withLock({ $0.tensorInfo[name] }) { return cached }
        let reply = try await call("describe \(name)", shard: shardID(of: name)) { _ in .describeTensor(DescribeTensor(name: name)) }
        guard case .tensorInfo(let info) = reply else { throw unexpected(reply, to: "describe") }
        state.withLock { $0.tensorInfo[name] = info }
        return info
    }

    // MARK: Dense

    /// Pushes a gradient for `[offset, offset + gradient.count)`, split into frames that fit the
    /// server's limit. Returns the tensor version after the last piece.
    @discardableResult
    public func pushDense(_ name: String, gradient: [Float], offset: Int = 0) async throws -> UInt64 {
        let shard = shardID(of: name)
        var version: UInt64 = 0
        for range in chunks(count: gradient.count, nameBytes: name.utf8.count) {
            var buffer = ByteBufferAllocator().buffer(capacity: range.count * 4)
            gradient[range].withUnsafeBytes { buffer.writeBytes($0) }
            let chunk = buffer
            version = try await push(name, shard: shard) { id in
                .pushDense(PushDense(id: id, name: name, offset: UInt64(offset + range.lowerBound), gradient: chunk))
            }
        }
        return version
    }

    /// Reads a whole dense tensor (or `count` elements from `offset`), in frames that fit.
    public func pullDense(_ name: String, offset: Int = 0, count: Int? = nil) async throws -> [Float] {
        let info = try await describe(name)
        let total = Int(info.shape.reduce(1, *)) - offset
        let wanted = count ?? total
        guard offset >= 0, wanted >= 0, wanted <= total else {
            throw ParasolClientError.invalidArgument("\(name) has \(total + offset) elements; cannot read \(wanted) from \(offset)")
        }
        let shard = shardID(of: name)
        let minVersion = state.withLock { $0.versions[name] ?? 0 }
        let ranges = chunks(count: wanted, nameBytes: name.utf8.count)
        // One frame (the common case): its floats become the array in one copy, with no zero fill first.
        var result = ranges.count == 1 ? [] : [Float](repeating: 0, count: wanted)
        for range in ranges {
            let pull = PullDense(name: name, offset: UInt64(offset + range.lowerBound), count: UInt64(range.count), minVersion: minVersion)
            let reply = try await call("pull \(name)", shard: shard) { _ in .pullDense(pull) }
            guard case .denseData(let data) = reply, data.values.readableBytes == range.count * 4 else {
                throw unexpected(reply, to: "pull \(name)")
            }
            noteVersion(data.version, of: name)
            if ranges.count == 1 { return data.values.readableFloats() }
            result.withUnsafeMutableBytes { target in
                data.values.withUnsafeReadableBytes { source in
                    UnsafeMutableRawBufferPointer(rebasing: target[range.lowerBound * 4..<range.upperBound * 4]).copyMemory(from: source)
                }
            }
        }
        return result
    }

    // MARK: Sparse

    /// Pushes gradients for embedding rows (`rowIDs.count × dimension` values, row after row).
    @discardableResult
    public func pushSparse(_ name: String, rowIDs: [UInt64], gradients: [Float]) async throws -> UInt64 {
        guard !rowIDs.isEmpty else { return 0 }
        guard gradients.count % rowIDs.count == 0 else {
            throw ParasolClientError.invalidArgument("\(gradients.count) gradient values do not split into \(rowIDs.count) rows")
        }
        let dimension = gradients.count / rowIDs.count
        let shard = shardID(of: name)
        var version: UInt64 = 0
        for rows in chunks(count: rowIDs.count, nameBytes: name.utf8.count, bytesPerItem: 8 + dimension * 4) {
            var buffer = ByteBufferAllocator().buffer(capacity: rows.count * dimension * 4)
            gradients[rows.lowerBound * dimension..<rows.upperBound * dimension].withUnsafeBytes { buffer.writeBytes($0) }
            let ids = Array(rowIDs[rows])
            let chunk = buffer
            version = try await push(name, shard: shard) { id in
                .pushSparse(PushSparse(id: id, name: name, rowIDs: ids, gradients: chunk))
            }
        }
        return version
    }

    /// Reads embedding rows in request order; rows never pushed come back initialized.
    public func pullSparse(_ name: String, rowIDs: [UInt64]) async throws -> [Float] {
        guard !rowIDs.isEmpty else { return [] }
        let info = try await describe(name)
        let dimension = info.shape.count == 2 ? Int(info.shape[1]) : 1
        let shard = shardID(of: name)
        let minVersion = state.withLock { $0.versions[name] ?? 0 }
        var result: [Float] = []
        result.reserveCapacity(rowIDs.count * dimension)
        for rows in chunks(count: rowIDs.count, nameBytes: name.utf8.count, bytesPerItem: 8 + dimension * 4) {
            let pull = PullSparse(name: name, rowIDs: Array(rowIDs[rows]), minVersion: minVersion)
            let reply = try await call("pull rows of \(name)", shard: shard) { _ in .pullSparse(pull) }
            guard case .sparseData(let data) = reply, data.rows.readableBytes == rows.count * dimension * 4 else {
                throw unexpected(reply, to: "pull rows of \(name)")
            }
            let start = result.count
            result.append(contentsOf: repeatElement(0, count: rows.count * dimension))
            result.withUnsafeMutableBytes { target in
                data.rows.withUnsafeReadableBytes { source in
                    UnsafeMutableRawBufferPointer(rebasing: target[(start * 4)...]).copyMemory(from: source)
                }
            }
        }
        return result
    }

    // MARK: Operations

    /// Asks the shard's primary to write a snapshot now.
    public func snapshot(shard: Int) async throws -> SnapshotTaken {
        let reply = try await call("snapshot shard \(shard)", shard: UInt32(shard)) { _ in .snapshotRequest }
        guard case .snapshotTaken(let taken) = reply else { throw unexpected(reply, to: "snapshot") }
        return taken
    }

    /// Asks the shard's primary to hand its role to `target` (a node id), or to its most
    /// caught-up replica when `target` is nil, and returns once the new primary leads.
    /// Refusals (not a replica, too far behind, no majority) throw `.server` with the reason.
    public func transferLeadership(shard: Int, to target: String?, timeoutSeconds: Double) async throws -> LeadershipTransferred {
        let request = TransferLeadership(target: target ?? "", timeoutMillis: UInt32(max(1, min(timeoutSeconds * 1000, 60_000))))
        let reply = try await call("failover of shard \(shard)", shard: UInt32(shard)) { _ in .transferLeadership(request) }
        guard case .leadershipTransferred(let done) = reply else { throw unexpected(reply, to: "failover") }
        return done
    }

    /// The node currently serving the shard as its primary: the one that answers a read (a
    /// lookup of a tensor that does not exist, which only a primary holding its lease answers).
    public func servingPrimary(shard: Int) async throws -> String {
        do {
            _ = try await call("find the primary of shard \(shard)", shard: UInt32(shard)) { _ in
                .describeTensor(DescribeTensor(name: "parasol.primary-probe"))
            }
        } catch ParasolClientError.server(let reply) where reply.code == .unknownTensor {
            // The expected answer: a primary served the lookup.
        }
        return primary(of: UInt32(shard))
    }

    /// Opens (or reuses) a session with `nodeID` and returns once its hello succeeded: the
    /// readiness check of `parasol cluster up` and of tests.
    public func probe(_ nodeID: String, timeoutSeconds: Double) async throws {
        _ = try await connection(to: nodeID, deadline: .now() + .nanoseconds(Int64(timeoutSeconds * 1e9)))
    }

    /// The shard a tensor lives on.
    public func shardID(of name: String) -> UInt32 {
        UInt32(ShardPlacement.shard(ofTensor: name, shardCount: config.shardCount))
    }

    // MARK: Calls, retries and routing

    private func push(_ name: String, shard: UInt32, message: @escaping @Sendable (PushID) -> Message) async throws -> UInt64 {
        let sequence = state.withLock { $0.sequencer.begin(shard: shard) }
        defer { state.withLock { $0.sequencer.end(shard: shard, sequence: sequence) } }
        let clientID = options.clientID
        let reply = try await call("push to \(name)", shard: shard) { _ in
            message(self.state.withLock { $0.sequencer.id(clientID: clientID, shard: shard, sequence: sequence) })
        }
        guard case .pushAck(let ack) = reply else { throw unexpected(reply, to: "push to \(name)") }
        noteVersion(ack.version, of: name)
        return ack.version
    }

    /// Sends a request to the shard's primary, retrying connection failures, `notLeader` (after
    /// following the hint) and `unavailable` with capped, jittered exponential backoff until the
    /// deadline. `message` is rebuilt for each attempt (a retried push refreshes its floor).
    private func call(_ operation: String, shard: UInt32, message: @Sendable (Int) -> Message) async throws -> Message {
        let deadline = NIODeadline.now() + .nanoseconds(Int64(options.callDeadlineSeconds * 1e9))
        var attempt = 0
        var lastError: any Error = ParasolClientError.closed
        var skippedLastPause = false
        while NIODeadline.now() < deadline {
            attempt += 1
            let nodeID = primary(of: shard)
            do {
                let connection = try await connection(to: nodeID, deadline: deadline)
                let reply = try await connection.request(message(attempt), shardID: shard, deadline: deadline)
                if case .error(let error) = reply {
                    throw ParasolClientError.server(error)
                }
                return reply
            } catch let error as ParasolClientError {
                lastError = error
                guard error.isRetryable else { throw error }
                onRetryableFailure(error, node: nodeID, shard: shard)
                // A refusal that named the new primary: go there at once, without a pause (but
                // never twice in a row, so two replicas with stale views cannot make a busy loop).
                if !skippedLastPause, case .server(let reply) = error, reply.code == .notLeader, primary(of: shard) == reply.leaderHint {
                    skippedLastPause = true
                    continue
                }
            } catch {
                lastError = error
                dropConnection(to: nodeID)
                tryNextReplica(of: shard, after: nodeID)
            }
            skippedLastPause = false
            let pause = RetryBackoff.pause(attempt: attempt, maxSeconds: options.retryBackoffMaxSeconds)
            let remaining = deadline - .now()
            guard remaining > .zero else { break }
            try await Task.sleep(nanoseconds: UInt64(min(pause, remaining).nanoseconds))
        }
        throw ParasolClientError.deadlineExceeded(operation: operation, seconds: options.callDeadlineSeconds, lastError: "\(lastError)")
    }

    /// Where to send the shard's next attempt: the primary a `notLeader` names, else the next
    /// replica of the shard (a dead primary's group elects one of the others within a few
    /// hundred milliseconds, and a replica that is not primary answers with the new one's name).
    private func onRetryableFailure(_ error: ParasolClientError, node: String, shard: UInt32) {
        switch error {
        case .server(let reply) where reply.code == .notLeader:
            if !reply.leaderHint.isEmpty, reply.leaderHint != node, config.nodes.contains(where: { $0.id == reply.leaderHint }) {
                state.withLock { $0.primaryHints[shard] = reply.leaderHint }
            } else {
                tryNextReplica(of: shard, after: node)
            }
        case .connectionFailed:
            dropConnection(to: node)
            tryNextReplica(of: shard, after: node)
        default:
            break
        }
    }

    private func tryNextReplica(of shard: UInt32, after node: String) {
        let replicas = placement.replicas(of: Int(shard))
        let position = replicas.firstIndex(of: node) ?? -1
        let next = replicas[(position + 1) % replicas.count]
        state.withLock { $0.primaryHints[shard] = next }
    }

    private func primary(of shard: UInt32) -> String {
        state.withLock { $0.primaryHints[shard] } ?? placement.replicas(of: Int(shard))[0]
    }

    private func connection(to nodeID: String, deadline: NIODeadline) async throws -> NodeConnection {
        let node = try config.node(nodeID)
        let connectDeadline = min(deadline, .now() + .nanoseconds(Int64(options.connectTimeoutSeconds * 1e9)))
        let task = try state.withLock { state -> Task<NodeConnection, any Error> in
            guard !state.closed else { throw ParasolClientError.closed }
            if let existing = state.connections[nodeID] { return existing }
            let task = Task { [group, options, config] in
                try await NodeConnection.open(
                    node: node, group: group, options: options, clientFrameBytesMax: config.frameBytesMax, deadline: connectDeadline)
            }
            state.connections[nodeID] = task
            return task
        }
        do {
            let connection = try await task.value
            guard connection.isActive else {
                dropConnection(to: nodeID)
                throw ParasolClientError.connectionFailed(node: nodeID, address: node.dataAddress.description, reason: "connection closed")
            }
            return connection
        } catch {
            dropConnection(to: nodeID)
            throw error
        }
    }

    private func dropConnection(to nodeID: String) {
        let task = state.withLock { $0.connections.removeValue(forKey: nodeID) }
        if let task {
            Task { if let connection = try? await task.value { await connection.close() } }
        }
    }

    private func noteVersion(_ version: UInt64, of name: String) {
        state.withLock { state in
            state.versions[name] = max(state.versions[name] ?? 0, version)
        }
    }

    /// Splits `count` items into ranges whose frames stay well inside the frame limit.
    private func chunks(count: Int, nameBytes: Int, bytesPerItem: Int = 4) -> [Range<Int>] {
        let budget = max(config.frameBytesMax - Frame.headerBytes - 1024 - nameBytes, bytesPerItem)
        let perChunk = max(1, budget / bytesPerItem)
        guard count > 0 else { return [0..<0] }
        return stride(from: 0, to: count, by: perChunk).map { $0..<min($0 + perChunk, count) }
    }

    private func unexpected(_ reply: Message, to operation: String) -> ParasolClientError {
        .protocolViolation("\(operation) was answered with \(reply.type)")
    }
}
