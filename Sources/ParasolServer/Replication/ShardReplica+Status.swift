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

extension ShardReplica {
    /// This replica's role, progress and newest snapshot, read on its loop.
    func status() -> EventLoopFuture<ReplicaStatus> {
        eventLoop.submit {
            let role: ReplicaRole = switch self.raft.role {
            case .leader: .primary
            case .follower: .replica
            case .candidate, .preCandidate: .candidate
            }
            let lease: LeaseState = self.raft.isLeader ? (self.raft.canServeLocalReads ? .held : .expired) : .none
            let lastIndex = self.raft.lastIndex
            var replicas: [ReplicaProgress] = []
            if self.raft.isLeader {
                replicas.append(ReplicaProgress(node: self.nodeID, matchIndex: lastIndex, lagEntries: 0, reachable: true))
                for follower in self.raft.followers {
                    replicas.append(ReplicaProgress(
                        node: self.members.name(of: follower.node) ?? "\(follower.node)", matchIndex: follower.matchIndex,
                        lagEntries: lastIndex - min(lastIndex, follower.matchIndex), reachable: follower.recentlyActive))
                }
            } else {
                for member in self.raft.members {
                    let name = self.members.name(of: member) ?? "\(member)"
                    let isSelf = member == self.raft.id
                    replicas.append(ReplicaProgress(
                        node: name, matchIndex: isSelf ? lastIndex : nil, lagEntries: nil, reachable: isSelf))
                }
            }
            return ReplicaStatus(
                shardID: self.shardID, role: role, term: self.raft.term, primary: self.leaderName.withLock { $0 }, lease: lease,
                commitIndex: self.raft.commitIndex, appliedIndex: self.appliedIndex, lastIndex: lastIndex, replicas: replicas,
                electionsSeen: self.electionsSeen, leadershipChanges: self.leadershipChanges, lastSnapshot: self.lastSnapshot)
        }
    }

    /// The primary this replica knows of, readable from any thread (shard maps, hints).
    var knownPrimary: String? { leaderName.withLock { $0 } }
}
