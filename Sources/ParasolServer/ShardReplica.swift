import Foundation
import Logging
import NIOCore
import NIOPosix
import ParasolAdmin
import ParasolConfig
import ParasolStorage
import ParasolTensors
import ParasolWire

/// One shard held by this node: its state machine, its write-ahead log and its snapshots.
///
/// Everything mutable is confined to `eventLoop` (a serial executor), which gives the one order
/// in which commands are logged and applied. A command is appended to the log first; only when
/// the log reports it durable is it applied and the client answered, so an acknowledged push
/// survives kill -9. The log completes appends in order and `execute` is FIFO, so commands are
/// applied in log order.
final class ShardReplica: @unchecked Sendable {
    // @unchecked: every mutable field below is touched only on `eventLoop` (asserted).
    let shardID: UInt32
    let eventLoop: any EventLoop
    private let log: WriteAheadLog
    private let snapshots: SnapshotStore
    private let snapshotPolicy: SnapshotPolicy
    private let snapshotPool: NIOThreadPool
    private let logger: Logger
    private let metrics: ShardMetrics
    private let allocator = ByteBufferAllocator()
    private let servingSince = Date()

    private var state: ShardState
    private var lastLoggedIndex: UInt64
    private var pendingCommands = 0
    private var snapshotInFlight = false
    private var lastSnapshotIndex: UInt64
    private var lastSnapshotTime: NIODeadline
    private var lastSnapshot: SnapshotRecord?
    private var snapshotBuffer: ByteBuffer
    private var snapshotWaiters: [@Sendable (Message) -> Void] = []
    private var drainWaiters: [EventLoopPromise<Void>] = []

    init(
        shardID: UInt32, eventLoop: any EventLoop, recovered: RecoveredShard, snapshotPolicy: SnapshotPolicy,
        snapshotPool: NIOThreadPool, metrics: ShardMetrics, logger: Logger
    ) {
        self.shardID = shardID
        self.eventLoop = eventLoop
        self.log = recovered.log
        self.snapshots = recovered.snapshots
        self.state = recovered.state
        self.lastLoggedIndex = recovered.state.appliedIndex
        self.lastSnapshotIndex = recovered.snapshotIndex
        self.lastSnapshotTime = .now()
        self.lastSnapshot = recovered.snapshot
        self.snapshotPolicy = snapshotPolicy
        self.snapshotPool = snapshotPool
        self.logger = logger
        self.metrics = metrics
        self.snapshotBuffer = ByteBufferAllocator().buffer(capacity: 0)
        // One replica per shard: this node is the primary from the start, in term 0 (the
        // term every log record and snapshot is written with until replication assigns terms).
        metrics.setRole(.primary)
        metrics.setTerm(0)
        metrics.setCommitIndex(recovered.state.appliedIndex)
        metrics.setAppliedIndex(recovered.state.appliedIndex)
        if let snapshot = recovered.snapshot {
            metrics.setSnapshotBytes(snapshot.compressedBytes)
        }
    }

    // MARK: Requests

    /// Serves one request for this shard; `respond` is called exactly once, on this shard's loop.
    func handle(_ message: Message, respond: @escaping @Sendable (Message) -> Void) {
        let received = NIODeadline.now()
        eventLoop.execute {
            switch message {
            case .createTensor(let create):
                self.submit(.createTensor(create), type: .createTensor, message: message, measured: nil, respond: respond)
            case .pushDense(let push):
                let measured = MeasuredPush(payloadBytes: push.gradient.readableBytes, received: received)
                self.submit(.pushDense(push), type: .pushDense, message: message, measured: measured, respond: respond)
            case .pushSparse(let push):
                let measured = MeasuredPush(
                    payloadBytes: push.gradients.readableBytes + push.rowIDs.count * MemoryLayout<UInt64>.size, received: received)
                self.submit(.pushSparse(push), type: .pushSparse, message: message, measured: measured, respond: respond)
            case .pullDense(let pull):
                self.respondToPull(self.state.pullDense(pull, allocator: self.allocator), received: received, respond: respond)
            case .pullSparse(let pull):
                self.respondToPull(self.state.pullSparse(pull, allocator: self.allocator), received: received, respond: respond)
            case .describeTensor(let describe):
                respond(self.state.describe(describe.name))
            case .snapshotRequest:
                self.snapshotWaiters.append(respond)
                self.takeSnapshot(reason: "requested")
            default:
                respond(.error(ErrorReply(code: .badRequest, message: "\(message.type) is not a shard request")))
            }
        }
    }

    private func respondToPull(_ reply: Message, received: NIODeadline, respond: @Sendable (Message) -> Void) {
        let payloadBytes: Int
        switch reply {
        case .denseData(let data): payloadBytes = data.values.readableBytes
        case .sparseData(let data): payloadBytes = data.rows.readableBytes
        default: payloadBytes = 0
        }
        // Recorded before answering, so a client that saw its reply also sees it counted.
        metrics.recordRequest(.pull, payloadBytes: payloadBytes, duration: .since(received))
        respond(reply)
    }

    /// Logs `command`, then applies it and answers once the log holds it durably.
    private func submit(
        _ command: ShardCommand, type: MessageType, message: Message, measured: MeasuredPush?,
        respond: @escaping @Sendable (Message) -> Void
    ) {
        eventLoop.preconditionInEventLoop()
        lastLoggedIndex += 1
        let index = lastLoggedIndex
        var payload = allocator.buffer(capacity: 0)
        FrameCodec.encodePayload(of: message, into: &payload)
        pendingCommands += 1
        log.append([LogRecord(term: 0, index: index, type: type.rawValue, payload: payload)]) { result in
            self.eventLoop.execute {
                self.onLogged(command, index: index, result: result, measured: measured, respond: respond)
            }
        }
    }

    private func onLogged(
        _ command: ShardCommand, index: UInt64, result: Result<Void, any Error>, measured: MeasuredPush?,
        respond: @Sendable (Message) -> Void
    ) {
        eventLoop.preconditionInEventLoop()
        pendingCommands -= 1
        defer { completeDrainIfIdle() }
        switch result {
        case .failure(let error):
            // The log could not make the command durable: nothing after it can be trusted to be
            // either, so the node stops serving this shard rather than acknowledge anything.
            logger.critical("shard \(shardID): write-ahead log failed at index \(index): \(error)")
            respond(.error(ErrorReply(code: .unavailable, message: "shard \(shardID) cannot write its log: \(error)")))
        case .success:
            let reply = state.apply(command, index: index)
            metrics.setCommitIndex(index)
            metrics.setAppliedIndex(index)
            if let measured {
                metrics.recordRequest(.push, payloadBytes: measured.payloadBytes, duration: .since(measured.received))
            }
            respond(reply)
            maybeSnapshot()
        }
    }

    // MARK: Snapshots

    private func maybeSnapshot() {
        let sinceLast = state.appliedIndex - lastSnapshotIndex
        guard sinceLast > 0 else { return }
        let byCount = snapshotPolicy.everyUpdates > 0 && sinceLast >= UInt64(snapshotPolicy.everyUpdates)
        let byTime = snapshotPolicy.everySeconds > 0
            && NIODeadline.now() - lastSnapshotTime >= .seconds(Int64(snapshotPolicy.everySeconds))
        if byCount || byTime {
            takeSnapshot(reason: byCount ? "\(sinceLast) updates" : "interval")
        }
    }

    /// Called by the node's timer so that a quiet shard still snapshots by time.
    func tick() {
        eventLoop.execute { self.maybeSnapshot() }
    }

    /// Copies the state on this loop (fast: memcpy + shuffle), then compresses and writes it on
    /// the thread pool so pushes keep flowing while the file is written.
    private func takeSnapshot(reason: String) {
        eventLoop.preconditionInEventLoop()
        guard !snapshotInFlight else { return }
        let index = state.appliedIndex
        guard index > lastSnapshotIndex else {
            // Nothing new since the last snapshot: that one already covers everything.
            answerSnapshotWaiters(.snapshotTaken(SnapshotTaken(index: lastSnapshotIndex, bytes: UInt64(lastSnapshot?.compressedBytes ?? 0))))
            return
        }
        snapshotInFlight = true
        var buffer = snapshotBuffer
        snapshotBuffer = allocator.buffer(capacity: 0)
        buffer.clear()
        state.encodeSnapshot(into: &buffer)
        let content = buffer
        let started = NIODeadline.now()
        let snapshots = self.snapshots
        let shardID = self.shardID
        let keep = snapshotPolicy.keep
        snapshotPool.submit { poolState in
            let result = Result { () throws -> ParasolStorage.SnapshotInfo in
                guard case .active = poolState else { throw ServerError.shuttingDown }
                let info = try snapshots.write(shard: shardID, index: index, term: 0, content: content)
                try snapshots.prune(keep: keep)
                return info
            }
            self.eventLoop.execute {
                self.onSnapshotWritten(result, index: index, buffer: content, reason: reason, started: started)
            }
        }
    }

    private func onSnapshotWritten(
        _ result: Result<ParasolStorage.SnapshotInfo, any Error>, index: UInt64, buffer: ByteBuffer, reason: String, started: NIODeadline
    ) {
        eventLoop.preconditionInEventLoop()
        snapshotInFlight = false
        defer { completeDrainIfIdle() }
        snapshotBuffer = buffer
        lastSnapshotTime = .now()
        switch result {
        case .success(let info):
            lastSnapshotIndex = index
            let took = Duration.since(started)
            lastSnapshot = SnapshotRecord(
                index: index, created: Date(timeIntervalSince1970: Double(info.createdUnixSeconds)),
                compressedBytes: info.compressedBytes, uncompressedBytes: info.uncompressedBytes, durationSeconds: took.seconds)
            metrics.recordSnapshot(duration: took, bytes: info.compressedBytes)
            let millis = Int((took.seconds * 1000).rounded())
            logger.info("shard \(shardID): snapshot at index \(index) (\(reason)): \(info.uncompressedBytes) → \(info.compressedBytes) bytes in \(millis) ms")
            do {
                // Keep the log back to the oldest snapshot still kept, so a corrupt newest
                // snapshot can fall back to the previous one and replay from there.
                if let oldestKept = try snapshots.oldestKeptIndex() {
                    try log.removeSegments(coveredThrough: oldestKept)
                }
            } catch {
                logger.error("shard \(shardID): could not remove old log segments: \(error)")
            }
            answerSnapshotWaiters(.snapshotTaken(SnapshotTaken(index: index, bytes: UInt64(info.compressedBytes))))
        case .failure(let error):
            logger.error("shard \(shardID): snapshot at index \(index) failed: \(error)")
            answerSnapshotWaiters(.error(ErrorReply(code: .internalError, message: "snapshot of shard \(shardID) failed: \(error)")))
        }
    }

    private func answerSnapshotWaiters(_ message: Message) {
        let waiters = snapshotWaiters
        snapshotWaiters = []
        for waiter in waiters { waiter(message) }
    }

    // MARK: Status

    /// This replica's progress and newest snapshot, read on its loop.
    func status() -> EventLoopFuture<ReplicaStatus> {
        eventLoop.submit {
            ReplicaStatus(
                shardID: self.shardID, appliedIndex: self.state.appliedIndex, servingSince: self.servingSince,
                lastSnapshot: self.lastSnapshot)
        }
    }

    // MARK: Shutdown

    /// Completes once every command already submitted has been logged and answered, and any
    /// snapshot being written has finished; used by graceful shutdown.
    func drain() -> EventLoopFuture<Void> {
        eventLoop.flatSubmit {
            let promise = self.eventLoop.makePromise(of: Void.self)
            self.drainWaiters.append(promise)
            self.completeDrainIfIdle()
            return promise.futureResult
        }
    }

    private func completeDrainIfIdle() {
        guard pendingCommands == 0, !snapshotInFlight, !drainWaiters.isEmpty else { return }
        let waiters = drainWaiters
        drainWaiters = []
        for waiter in waiters { waiter.succeed() }
    }

    func close() throws {
        try log.close()
    }
}

/// What a push needs carried from its arrival to its acknowledgement to be measured: its
/// payload size and when it was read.
struct MeasuredPush {
    let payloadBytes: Int
    let received: NIODeadline
}

extension Duration {
    /// Time from `start` until now on NIO's monotonic clock.
    static func since(_ start: NIODeadline) -> Duration {
        .nanoseconds((NIODeadline.now() - start).nanoseconds)
    }
}
