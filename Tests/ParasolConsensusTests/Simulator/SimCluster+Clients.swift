@testable import ParasolConsensus

/// The simulated clients and the replicas' client-facing shell: writes become proposals and
/// are acknowledged when the proposing replica applies them; reads are served from the local
/// state machine only under a lease (`localReadPermit`).
extension SimCluster {
    func actClients() {
        for k in clients.indices {
            if clients[k].outstanding != nil {
                if now >= clients[k].retryAtTick {
                    if !clients[k].targetFromHint { clients[k].target = replicas.randomElement(using: &rng)!.id }
                    clients[k].targetFromHint = false
                    sendOutstanding(k)
                }
                continue
            }
            if chance(workload.randomTargetProbability) { clients[k].target = replicas.randomElement(using: &rng)!.id }
            if chance(workload.writeChancePerTick) {
                let command = CounterCommand(client: clients[k].id, seq: clients[k].nextSeq,
                                             delta: Int64.random(in: 1...9, using: &rng))
                clients[k].nextSeq += 1
                clients[k].outstanding = .write(command)
                sendOutstanding(k)
            } else if chance(workload.readChancePerTick) {
                clients[k].outstanding = .read(attempt: 0)
                sendOutstanding(k)
            }
        }
    }

    /// (Re)sends client `k`'s request. A read restarts: it must reflect every write acknowledged so far.
    private func sendOutstanding(_ k: Int) {
        let kind: ClientRequest.Kind
        switch clients[k].outstanding! {
        case .write(let command):
            kind = .write(command)
        case .read:
            clients[k].readAttempts += 1
            clients[k].outstanding = .read(attempt: clients[k].readAttempts)
            kind = .read(attempt: clients[k].readAttempts, requiredIndex: checker.maxAcknowledgedEffectIndex)
        }
        clients[k].retryAtTick = now + workload.requestTimeoutTicks
        guard !chance(faults.messageDropProbability) else { return }
        let request = ClientRequest(client: clients[k].id, node: clients[k].target, kind: kind)
        queue.push(.clientRequest(request), at: now + messageDelayTicks())
    }

    /// The replica's shell answers a client; returns the replica (a proposal changes it).
    func handleClientRequest(_ request: ClientRequest) -> SimReplica? {
        let replica = replica(request.node)
        guard let node = replica.node else { return nil }
        switch request.kind {
        case .write(let command):
            switch propose(command, at: replica.id) {
            case .success:
                break
            case .failure(.notLeader(let hint)):
                reply(.writeRefused(seq: command.seq, leaderHint: hint), to: command.client)
            case .failure(.leadershipTransferInProgress(let target)):
                reply(.writeRefused(seq: command.seq, leaderHint: target), to: command.client)
            case .failure(.uncommittedBytesLimitReached):
                reply(.writeRefused(seq: command.seq, leaderHint: replica.id), to: command.client)
            }
        case .read(let attempt, let requiredIndex):
            if let permit = node.localReadPermit, replica.state.appliedIndex >= permit.readIndex {
                checker.readServed(value: replica.state.counter, servedIndex: replica.state.appliedIndex,
                                   requiredIndex: requiredIndex, by: replica.id)
                reply(.readServed(attempt: attempt), to: request.client)
            } else {
                reply(.readRefused(attempt: attempt, leaderHint: node.leader), to: request.client)
            }
        }
        return replica
    }

    func reply(_ kind: ClientReply.Kind, to client: UInt32) {
        guard client != 0, !chance(faults.messageDropProbability) else { return }
        queue.push(.clientReply(ClientReply(client: client, kind: kind)), at: now + messageDelayTicks())
    }

    func handleClientReply(_ reply: ClientReply) {
        let k = Int(reply.client) - 1
        guard k < clients.count, let outstanding = clients[k].outstanding else { return }
        switch (outstanding, reply.kind) {
        case (.write(let command), .writeAcknowledged(let seq)) where command.seq == seq:
            clients[k].outstanding = nil
        case (.write(let command), .writeRefused(let seq, let hint)) where command.seq == seq:
            retrySoon(k, hint: hint)
        case (.read(let current), .readServed(let attempt)) where current == attempt:
            clients[k].outstanding = nil
        case (.read(let current), .readRefused(let attempt, let hint)) where current == attempt:
            retrySoon(k, hint: hint)
        default:
            break // An answer to an earlier attempt.
        }
    }

    private func retrySoon(_ k: Int, hint: NodeID?) {
        clients[k].target = hint ?? replicas.randomElement(using: &rng)!.id
        clients[k].targetFromHint = true
        clients[k].retryAtTick = now + 1
    }
}
