import ParasolWire

/// Numbers a client's pushes to each shard for exactly-once delivery.
///
/// Each push gets the next sequence number of its shard and stays outstanding until the client
/// stops retrying it (acknowledged, or failed for good). `acknowledgedBelow` is the lowest
/// outstanding number: the promise to the server that nothing below it will be sent again, which
/// lets the server forget those and keep its table as small as the in-flight window.
struct PushSequencer {
    private var next: [UInt32: UInt64] = [:]
    private var outstanding: [UInt32: Set<UInt64>] = [:]

    mutating func begin(shard: UInt32) -> UInt64 {
        let sequence = next[shard, default: 1]
        next[shard] = sequence + 1
        outstanding[shard, default: []].insert(sequence)
        return sequence
    }

    /// The push id to send for `sequence` now (the floor moves as other pushes finish, so a
    /// retry sends a fresh one).
    func id(clientID: UInt64, shard: UInt32, sequence: UInt64) -> PushID {
        let floor = outstanding[shard]?.min() ?? sequence
        return PushID(clientID: clientID, sequence: sequence, acknowledgedBelow: min(floor, sequence))
    }

    mutating func end(shard: UInt32, sequence: UInt64) {
        outstanding[shard]?.remove(sequence)
    }
}
