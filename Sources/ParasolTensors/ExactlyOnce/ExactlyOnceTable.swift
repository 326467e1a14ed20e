import ParasolWire

/// Remembers which pushes a shard has applied, per client, so that a retried push (after a lost
/// reply, a reconnect or a failover) is answered without being applied twice.
///
/// Every push carries `acknowledgedBelow`, the client's promise never to send a lower sequence
/// again. As Protocols/wire.md (section 9) orders it, the client's floor first rises to that
/// value (never falls; recorded sequences below it are dropped), and then the push is a
/// duplicate when its `sequence` is below the floor or already recorded. So each client costs at
/// most its in-flight window, and a push whose sequence is below its own `acknowledgedBelow` is
/// a duplicate. Failed pushes change nothing here: the caller raises the floor only for a push
/// it answers with `pushAck`.
///
/// Bounded: at most `ShardLimits.clientsMax` clients and `ShardLimits.clientWindowMax`
/// sequences per client; a push that would exceed either is refused before anything changes.
/// Sessions expire by the log, not by a clock: a client silent for
/// `ShardLimits.sessionExpiryEntries` entries is dropped (`expire(inactiveBefore:)`), at the same
/// entry on every replica.
struct ExactlyOnceTable {
    private(set) var clients: [UInt64: ClientWindow]

    init(clients: [UInt64: ClientWindow] = [:]) {
        self.clients = clients
    }

    /// Whether `id` is a duplicate once its client's floor has risen to `id.acknowledgedBelow`.
    func isDuplicate(_ id: PushID) -> Bool {
        id.sequence < id.acknowledgedBelow || (clients[id.clientID]?.hasSeen(id.sequence) ?? false)
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

    /// Raises the client's floor to `id.acknowledgedBelow` and records the applied sequence,
    /// applied as log entry `index`.
    mutating func recordApplied(_ id: PushID, index: UInt64) {
        clients[id.clientID, default: ClientWindow()].raiseFloor(to: id.acknowledgedBelow)
        clients[id.clientID]?.record(id.sequence)
        clients[id.clientID]?.lastActiveIndex = index
    }

    /// Forgets every client whose latest push came before log index `index`.
    mutating func expire(inactiveBefore index: UInt64) {
        clients = clients.filter { $0.value.lastActiveIndex >= index }
    }

    /// Takes the promise a duplicate carries: its floor is as valid as any other push's. A client
    /// not yet known is added when there is room (its floor is all there is to remember).
    mutating func acknowledge(_ id: PushID, index: UInt64) {
        if clients[id.clientID] != nil || (id.acknowledgedBelow > 0 && clients.count < ShardLimits.clientsMax) {
            clients[id.clientID, default: ClientWindow()].raiseFloor(to: id.acknowledgedBelow)
            clients[id.clientID]?.lastActiveIndex = index
        }
    }
}
