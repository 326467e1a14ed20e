import Testing

@testable import ParasolConsensus

/// Helpers that keep scenario scripts readable: every scenario runs on the same `SimCluster`
/// as the swarm, with a calm network unless the script itself breaks something.
extension SimCluster {
    static func calm(nodes: Int, seed: UInt64 = 7, configure: (inout Config) -> Void = { _ in }) throws -> SimCluster {
        try SimCluster(nodeCount: nodes, seed: seed, configure: configure)
    }

    /// Ticks until a leader has committed an entry of its own term (its no-op); returns it.
    func waitForLeader(maxTicks: Int = 400) -> NodeID? {
        var found: NodeID?
        tick(until: {
            for replica in replicas {
                guard let node = replica.node, node.role == .leader,
                      node.term(at: node.commitIndex) == node.term
                else { continue }
                found = replica.id
                return true
            }
            return false
        }, maxTicks: maxTicks)
        return found
    }

    /// Ticks until the leader committed its whole log and every live replica (or every one of
    /// `among`) applied it.
    @discardableResult
    func waitForConvergence(among ids: [NodeID]? = nil, maxTicks: Int = 400) -> Bool {
        let watched = ids.map { $0.map(replica) } ?? replicas
        return tick(until: {
            guard let leader, let node = replica(leader).node, node.commitIndex == node.lastIndex else { return false }
            return watched.allSatisfy { !$0.isUp || $0.state.appliedIndex == node.commitIndex }
        }, maxTicks: maxTicks)
    }

    /// Makes `id` campaign (delivering every message, no ticks) until it leads; `false` if it
    /// did not within `attempts` elections.
    func campaignUntilLeader(_ id: NodeID, attempts: Int = 5) -> Bool {
        for _ in 0..<attempts where node(id).role != .leader {
            campaign(id)
            deliverDueEvents()
        }
        return node(id).role == .leader
    }

    /// Everything other than `id`.
    func others(than id: NodeID) -> [NodeID] { replicas.map(\.id).filter { $0 != id } }

    /// Records the checker's verdict as a test issue.
    func expectNoViolation(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(checker.failure == nil, "\(checker.failure ?? "") (tick \(checker.failureTick))", sourceLocation: sourceLocation)
    }
}

/// Counts messages a scenario cares about (closures on the cluster cannot capture inout state).
final class MessageTally {
    private(set) var messages: [RaftMessage] = []

    func record(_ message: RaftMessage) { messages.append(message) }

    func count(where predicate: (RaftMessage) -> Bool) -> Int { messages.filter(predicate).count }
}

extension RaftMessage {
    var appendEntries: [LogEntry]? {
        if case .append(let request) = kind { return request.entries }
        return nil
    }

    var isRejectedAppend: Bool {
        if case .appendResponse(let response) = kind { return response.rejection != nil }
        return false
    }
}

/// A command of the scenario client (client 1), numbered `seq`.
func command(_ seq: UInt32, delta: Int64 = 1) -> CounterCommand {
    CounterCommand(client: 1, seq: seq, delta: delta)
}
