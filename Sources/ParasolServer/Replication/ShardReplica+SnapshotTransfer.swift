import Foundation
import Logging
import NIOCore
import NIOPosix
import ParasolAdmin
import ParasolConfig
import ParasolConsensus
import ParasolStorage
import ParasolTensors
import ParasolWire
import Synchronization

/// Rebuilding a follower that is too far behind (or new, or wiped) from the leader's snapshot.
///
/// The leader streams its newest snapshot file in `chunkBytes` pieces, one in flight at a time
/// (flow control: the follower's acknowledgement asks for the next offset). The follower keeps
/// what arrived in a part file, so after a dropped connection or a restart the stream resumes
/// where it stopped: the leader starts at 0, the follower answers with the offset it holds. Only
/// when every byte arrived is the file verified (file CRC, LZ4 frame, content CRC, as on loading)
/// and renamed into place; then the consensus instance is told and asks for the install.
extension ShardReplica {
    static let chunkBytes = 1 << 20
    /// A stream with no acknowledgement for this long is abandoned; Raft asks again.
    static let snapshotStallTimeout = TimeAmount.seconds(10)

    // MARK: Leader side

    func startSnapshotSender(_ transfer: SnapshotTransfer) {
        let follower = transfer.to
        guard senders[follower] == nil, isStillLeading(transfer.term) else { return }
        let sender = SnapshotSender(to: follower, term: transfer.term)
        senders[follower] = sender
        let snapshots = self.snapshots
        ioPool.runIfActive(eventLoop: eventLoop) { try snapshots.exportLatest() }.whenComplete { result in
            guard self.senders[follower] === sender else { return }
            switch result {
            case .success(.some(let exported)):
                sender.exported = exported
                self.logger.info(
                    "shard \(self.shardID): streaming snapshot \(exported.info.index) (\(exported.dataBytes) bytes) to \(self.members.name(of: follower) ?? "\(follower)")")
                self.sendChunk(sender, offset: 0)
            case .success(.none):
                self.abandon(sender, reason: "no snapshot to send")
            case .failure(let error):
                self.abandon(sender, reason: "cannot read the snapshot: \(error)")
            }
        }
    }

    private func sendChunk(_ sender: SnapshotSender, offset: UInt64) {
        guard let exported = sender.exported else { return }
        guard isStillLeading(sender.term) else {
            senders[sender.to] = nil
            return
        }
        sender.lastProgress = .now()
        let term = sender.term
        let from = raft.id.rawValue
        ioPool.runIfActive(eventLoop: eventLoop) {
            try SnapshotStore.readChunk(of: exported, offset: offset, maxBytes: Self.chunkBytes)
        }.whenComplete { result in
            guard self.senders[sender.to] === sender else { return }
            switch result {
            case .success(let bytes):
                let chunk = SnapshotChunk(
                    from: from, to: sender.to.rawValue, term: term,
                    snapshot: SnapshotMeta(index: exported.info.index, term: exported.info.term),
                    offset: offset, totalBytes: exported.dataBytes, manifest: exported.manifest, data: ByteBuffer(bytes: bytes))
                self.transport.send(.snapshotChunk(chunk), shard: self.shardID, to: sender.to)
            case .failure(let error):
                self.abandon(sender, reason: "cannot read the snapshot: \(error)")
            }
        }
    }

    /// The follower's answer to a chunk.
    func onSnapshotChunkAck(_ ack: SnapshotChunkAck) {
        eventLoop.execute {
            let follower = NodeID(ack.from)
            guard let sender = self.senders[follower], let exported = sender.exported,
                  exported.info.index == ack.snapshot.index, exported.info.term == ack.snapshot.term
            else { return }
            sender.lastProgress = .now()
            switch ack.status {
            case .receiving:
                if ack.nextOffset < exported.dataBytes { self.sendChunk(sender, offset: ack.nextOffset) }
            case .installed:
                self.logger.info("shard \(self.shardID): \(self.members.name(of: follower) ?? "\(follower)") installed snapshot \(exported.info.index)")
                self.senders[follower] = nil
            case .rejected:
                self.abandon(sender, reason: "the follower rejected it: \(ack.reason)")
            }
        }
    }

    private func abandon(_ sender: SnapshotSender, reason: String) {
        logger.warning("shard \(shardID): snapshot stream to \(members.name(of: sender.to) ?? "\(sender.to)") stopped: \(reason)")
        senders[sender.to] = nil
        raft.reportSnapshotFailure(to: sender.to)
        pump()
    }

    /// Whether this replica still leads the term a stream was asked for: chunks go out only
    /// under the leadership that asked for them.
    private func isStillLeading(_ term: Term) -> Bool {
        raft.isLeader && raft.term == term
    }

    func tickSnapshotTransfers() {
        guard !senders.isEmpty else { return }
        if !raft.isLeader {
            senders.removeAll()
            return
        }
        let now = NIODeadline.now()
        for sender in senders.values where now - sender.lastProgress > Self.snapshotStallTimeout {
            abandon(sender, reason: "no acknowledgement for \(Self.snapshotStallTimeout.nanoseconds / 1_000_000_000) s")
        }
    }

    // MARK: Follower side

    func onSnapshotChunk(_ chunk: SnapshotChunk) {
        eventLoop.execute { self.receive(chunk) }
    }

    private func receive(_ chunk: SnapshotChunk) {
        let leader = NodeID(chunk.from)
        guard chunk.term >= raft.term else {
            acknowledge(chunk, status: .rejected, nextOffset: 0, reason: "term \(chunk.term) is older than \(raft.term)")
            return
        }
        if chunk.snapshot.index <= raft.commitIndex {
            // Everything the snapshot holds is committed here already: no bytes needed.
            raft.installSnapshot(chunk.snapshot, from: leader, term: chunk.term)
            pump()
            acknowledge(chunk, status: .installed, nextOffset: chunk.totalBytes, reason: "")
            return
        }
        if let receiver, receiver.meta != chunk.snapshot {
            let old = receiver.incoming
            self.receiver = nil
            ioPool.submit { _ in old?.discard() }
        }
        let receiver = self.receiver ?? SnapshotReceiver(meta: chunk.snapshot)
        self.receiver = receiver
        guard !receiver.busy else { return }
        receiver.busy = true
        let snapshots = self.snapshots
        let shardID = self.shardID
        ioPool.runIfActive(eventLoop: eventLoop) { () throws -> ReceiveOutcome in
            if receiver.incoming == nil {
                receiver.incoming = try snapshots.incoming(
                    index: chunk.snapshot.index, term: chunk.snapshot.term, manifest: chunk.manifest, totalBytes: chunk.totalBytes)
            }
            let incoming = receiver.incoming!
            guard incoming.receivedBytes == chunk.offset else { return .resumeAt(incoming.receivedBytes) }
            try incoming.write(chunk.data, at: chunk.offset)
            guard incoming.receivedBytes >= chunk.totalBytes else { return .resumeAt(incoming.receivedBytes) }
            let started = ContinuousClock.now
            let (info, content) = try incoming.install()
            var buffer = content
            let state: ShardState
            do {
                state = try ShardState.decodeSnapshot(&buffer)
            } catch {
                throw ServerError.recovery(shard: shardID, reason: "received snapshot \(info.index) verified but does not decode: \(error)")
            }
            return .installed(info, state, (ContinuousClock.now - started).seconds)
        }.whenComplete { result in
            receiver.busy = false
            switch result {
            case .success(.resumeAt(let offset)):
                self.acknowledge(chunk, status: .receiving, nextOffset: offset, reason: "")
            case .success(.installed(let info, let state, let seconds)):
                self.receiver = nil
                let record = SnapshotRecord(
                    index: info.index, created: Date(timeIntervalSince1970: Double(info.createdUnixSeconds)),
                    compressedBytes: info.compressedBytes, uncompressedBytes: info.uncompressedBytes, durationSeconds: seconds)
                self.receivedSnapshot = (chunk.snapshot, state, record)
                self.logger.info("shard \(self.shardID): received snapshot \(info.index) from \(self.members.name(of: leader) ?? "\(leader)")")
                self.raft.installSnapshot(chunk.snapshot, from: leader, term: chunk.term)
                self.pump()
                self.acknowledge(chunk, status: .installed, nextOffset: chunk.totalBytes, reason: "")
            case .failure(let error):
                self.receiver = nil
                self.logger.error("shard \(self.shardID): snapshot \(chunk.snapshot.index) from the primary rejected: \(error)")
                self.acknowledge(chunk, status: .rejected, nextOffset: 0, reason: "\(error)")
            }
        }
    }

    private func acknowledge(_ chunk: SnapshotChunk, status: SnapshotChunkAck.Status, nextOffset: UInt64, reason: String) {
        let ack = SnapshotChunkAck(
            from: raft.id.rawValue, to: chunk.from, term: raft.term, snapshot: chunk.snapshot, nextOffset: nextOffset,
            status: status, reason: reason)
        transport.send(.snapshotChunkAck(ack), shard: shardID, to: NodeID(chunk.from))
    }

    /// Raft asked to install `meta` (`Ready.snapshot`): the log is already truncated; load the
    /// state the receiver verified.
    func installReceivedSnapshot(_ meta: SnapshotMeta) {
        guard let received = receivedSnapshot, received.meta == meta else {
            stop(because: "asked to install snapshot \(meta.index) (term \(meta.term)), which it has not received")
            return
        }
        receivedSnapshot = nil
        state = received.state
        appliedIndex = meta.index
        appliedTerm = meta.term
        bytesSinceSnapshot = 0
        lastSnapshotIndex = meta.index
        lastSnapshot = received.record
        metrics.setSnapshotBytes(received.record.compressedBytes)
        logger.info("shard \(shardID): installed snapshot at index \(meta.index) (term \(meta.term))")
        do {
            try snapshots.prune(keep: snapshotPolicy.keep)
        } catch {
            logger.error("shard \(shardID): could not prune old snapshots: \(error)")
        }
    }
}

/// One snapshot stream from this leader to a follower.
final class SnapshotSender: @unchecked Sendable {
    // @unchecked: touched only on the owning replica's event loop.
    let to: NodeID
    /// The term whose leader asked for this stream; every chunk carries it.
    let term: Term
    var exported: ExportedSnapshot?
    var lastProgress = NIODeadline.now()

    init(to: NodeID, term: Term) {
        self.to = to
        self.term = term
    }
}

/// The snapshot this follower is receiving.
final class SnapshotReceiver: @unchecked Sendable {
    // @unchecked: `busy` is touched only on the replica's loop; `incoming` only by the one I/O
    // task that `busy` admits at a time.
    let meta: SnapshotMeta
    var incoming: IncomingSnapshot?
    var busy = false

    init(meta: SnapshotMeta) {
        self.meta = meta
    }
}

enum ReceiveOutcome: @unchecked Sendable {
    // @unchecked: the state is handed from the I/O thread to the replica's loop, never shared.
    case resumeAt(UInt64)
    case installed(ParasolStorage.SnapshotInfo, ShardState, Double)
}
