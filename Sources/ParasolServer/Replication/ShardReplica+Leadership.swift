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

/// Moving a shard's primary on purpose (`parasol failover`, `POST /shards/{id}/failover`):
/// Raft's leadership transfer catches the target up, tells it to campaign at once, and this
/// replica answers when it hears from the target as the new primary.
extension ShardReplica {
    /// A target further behind than this is refused: catching it up first could take longer
    /// than an operator expects a failover to take.
    static let transferLagMax: UInt64 = 50_000

    /// Hands the primary role to `target` (a cluster node id) or, when nil, to the most
    /// caught-up reachable replica. `completion` runs once on this replica's loop.
    func transferLeadership(
        to target: String?, timeout: TimeAmount,
        completion: @escaping @Sendable (Result<LeadershipTransferred, TransferRefusal>) -> Void
    ) {
        eventLoop.execute {
            switch self.beginTransfer(to: target, timeout: timeout, completion: completion) {
            case .success: self.pump()
            case .failure(let refusal): completion(.failure(refusal))
            }
        }
    }

    /// Best effort before a graceful shutdown: if this replica is the primary and another
    /// replica can take over, hand over and wait (at most `timeout`); otherwise return at once.
    func handOffLeadership(timeout: TimeAmount) async {
        let outcome = await withCheckedContinuation { continuation in
            transferLeadership(to: nil, timeout: timeout) { continuation.resume(returning: $0) }
        }
        if case .success(let done) = outcome {
            logger.info("shard \(shardID): handed the primary role to \(done.newPrimary) before shutting down")
        }
    }

    private func beginTransfer(
        to target: String?, timeout: TimeAmount,
        completion: @escaping @Sendable (Result<LeadershipTransferred, TransferRefusal>) -> Void
    ) -> Result<Void, TransferRefusal> {
        if let failure { return .failure(.unavailable("shard \(shardID) on \(nodeID) stopped: \(failure)")) }
        let groupNames = raft.members.compactMap { members.name(of: $0) }
        if let target, !groupNames.contains(target) {
            return .failure(.notAReplica(node: target, shard: shardID, replicas: groupNames))
        }
        guard raft.isLeader else { return .failure(.notPrimary(shard: shardID, primary: leaderName.withLock { $0 })) }
        if target == nodeID { return .failure(.refused("\(nodeID) is already the primary of shard \(shardID)")) }
        let followers = raft.followers
        guard !followers.isEmpty else {
            return .failure(.refused("shard \(shardID) has a single replica; there is nothing to fail over to"))
        }
        let reachable = followers.filter(\.recentlyActive)
        guard reachable.count + 1 >= raft.members.count / 2 + 1 else {
            return .failure(.unavailable("no majority of shard \(shardID)'s replicas is reachable from \(nodeID)"))
        }
        let chosen: RaftNode.FollowerStatus
        if let target {
            chosen = followers.first { members.name(of: $0.node) == target }!
            guard chosen.recentlyActive else {
                return .failure(.unavailable("\(target) has not answered \(nodeID) recently; it cannot take over shard \(shardID)"))
            }
        } else {
            guard let best = reachable.max(by: { $0.matchIndex < $1.matchIndex }) else {
                return .failure(.unavailable("no replica of shard \(shardID) is reachable from \(nodeID)"))
            }
            chosen = best
        }
        let chosenName = members.name(of: chosen.node) ?? "\(chosen.node)"
        let lag = raft.lastIndex - min(raft.lastIndex, chosen.matchIndex)
        guard lag <= Self.transferLagMax else {
            return .failure(.refused("\(chosenName) is \(lag) entries behind (limit \(Self.transferLagMax)); let it catch up first"))
        }
        do {
            try raft.transferLeadership(to: chosen.node)
        } catch {
            return .failure(.refused("\(error)"))
        }
        logger.info("shard \(shardID): handing the primary role to \(chosenName) (\(lag) entries behind)")
        transferWaiters.append(TransferWaiter(
            target: chosenName, previous: nodeID, started: .now(), deadline: .now() + timeout, completion: completion))
        return .success(())
    }

    func tickLeadershipTransfers() {
        guard !transferWaiters.isEmpty else { return }
        let now = NIODeadline.now()
        let expired = transferWaiters.filter { $0.deadline <= now }
        transferWaiters.removeAll { $0.deadline <= now }
        for waiter in expired {
            waiter.completion(.failure(.unavailable(
                "\(waiter.target) did not take over shard \(shardID) in time; the primary is \(leaderName.withLock { $0 } ?? "unknown")")))
        }
    }

    /// `newLeader` leads now: the transfers that aimed at it succeeded, the others failed.
    func completeLeadershipTransfers(newLeader: String) {
        guard !transferWaiters.isEmpty, newLeader != nodeID else { return }
        let waiters = transferWaiters
        transferWaiters = []
        for waiter in waiters {
            if waiter.target == newLeader {
                let elapsed = UInt64(max(0, (NIODeadline.now() - waiter.started).nanoseconds / 1000))
                waiter.completion(.success(LeadershipTransferred(
                    previousPrimary: waiter.previous, newPrimary: newLeader, term: raft.term, elapsedMicros: elapsed)))
            } else {
                waiter.completion(.failure(.unavailable("\(newLeader) became the primary of shard \(shardID) instead of \(waiter.target)")))
            }
        }
    }
}

struct TransferWaiter {
    let target: String
    let previous: String
    let started: NIODeadline
    let deadline: NIODeadline
    let completion: @Sendable (Result<LeadershipTransferred, TransferRefusal>) -> Void
}

/// Why a leadership transfer was refused or did not complete; mapped to a wire error for the
/// CLI and to an HTTP status for the admin plane.
enum TransferRefusal: Error, Sendable, CustomStringConvertible {
    case notPrimary(shard: UInt32, primary: String?)
    case notAReplica(node: String, shard: UInt32, replicas: [String])
    case refused(String)
    case unavailable(String)

    var description: String {
        switch self {
        case .notPrimary(let shard, let primary):
            "this node is not the primary of shard \(shard)" + (primary.map { "; the primary is \($0)" } ?? "; no primary is known")
        case .notAReplica(let node, let shard, let replicas):
            "\(node) holds no replica of shard \(shard) (its replicas: \(replicas.joined(separator: ", ")))"
        case .refused(let reason), .unavailable(let reason):
            reason
        }
    }

    var errorReply: ErrorReply {
        switch self {
        case .notPrimary(_, let primary):
            ErrorReply(code: .notLeader, message: description, leaderHint: primary ?? "")
        case .notAReplica, .refused:
            ErrorReply(code: .badRequest, message: description)
        case .unavailable:
            ErrorReply(code: .unavailable, message: description)
        }
    }
}
