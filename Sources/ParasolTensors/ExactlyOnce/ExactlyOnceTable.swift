import ParasolWire

/// Remembers which pushes a shard has applied, per client, so that a retried push (after a lost
/// reply, a reconnect or a failover) is answered without being applied twice.
///
/// A push `(clientID, sequence)` is a duplicate when `sequence` is below the client's floor or
/// already recorded. Every push also carries `acknowledgedBelow`, the client's promise never to
/// send a lower sequence again; the floor rises to it (never falls) and the recorded sequences
/// below it are dropped, so each client costs at most its in-flight window. Bounded: at most
/// `ShardLimits.clientsMax` clients and `ShardLimits.clientWindowMax` sequences per client;
/// a push that would exceed either is refused before anything changes.
struct ExactlyOnceTable: Equatable {
    private(set) var clients: [UInt64: ClientWindow]

    init(clients: [UInt64: ClientWindow] = [:]) {
        self.clients = clients
    }

    func isDuplicate(_ id: PushID) -> Bool {
        clients[id.clientID]?.hasSeen(id.sequence) ?? false
    }

    /// Throws when recording `id` would exceed a bound; changes nothing.
    func checkCapacity(for id: PushID) throws(ErrorReply) {
        guard let window = clients[id.clientID] else {
            guard clients.count < ShardLimits.clientsMax else {
                throw ErrorReply(
                    code: .unavailable,
                    message: "the exactly-once table already holds \(clients.count) clients, the limit; client \(id.clientID) cannot be added")
            }
            return
        }
        let count = window.countAfter(recording: id.sequence, floor: id.acknowledgedBelow)
        guard count <= ShardLimits.clientWindowMax else {
            throw ErrorReply(
                code: .unavailable,
                message: "client \(id.clientID) has \(ShardLimits.clientWindowMax) applied pushes at or above its floor \(max(window.acknowledgedBelow, id.acknowledgedBelow)); raise acknowledgedBelow before pushing sequence \(id.sequence)")
        }
    }

    /// Records an applied push and raises the client's floor to its `acknowledgedBelow`.
    mutating func recordApplied(_ id: PushID) {
        clients[id.clientID, default: ClientWindow()].record(id.sequence)
        clients[id.clientID]?.raiseFloor(to: id.acknowledgedBelow)
    }

    /// Takes the promise a duplicate carries: its floor is as valid as any other push's.
    mutating func acknowledge(_ id: PushID) {
        clients[id.clientID]?.raiseFloor(to: id.acknowledgedBelow)
    }
}
