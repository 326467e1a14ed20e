import ParasolConsensus

/// The command every simulated entry carries: "client `client`'s request number `seq` adds `delta`".
struct CounterCommand: Equatable {
    static let encodedBytes = 16

    var client: UInt32
    var seq: UInt32
    var delta: Int64

    /// Client sessions are keyed by (client, seq); the checker tracks them as one number.
    var sessionKey: UInt64 { UInt64(client) << 32 | UInt64(seq) }

    var encoded: EntryPayload {
        var bytes = [UInt8]()
        bytes.reserveCapacity(Self.encodedBytes)
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: client >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: seq >> UInt32(shift))) }
        let raw = UInt64(bitPattern: delta)
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: raw >> UInt64(shift))) }
        return EntryPayload(bytes)
    }

    init(client: UInt32, seq: UInt32, delta: Int64) {
        self.client = client
        self.seq = seq
        self.delta = delta
    }

    init(decoding payload: EntryPayload) {
        let bytes = payload.bytes
        precondition(bytes.count == Self.encodedBytes, "counter command of \(bytes.count) bytes")
        func read(_ offset: Int, _ count: Int) -> UInt64 {
            var value: UInt64 = 0
            for k in 0..<count { value |= UInt64(bytes[offset + k]) << UInt64(8 * k) }
            return value
        }
        client = UInt32(read(0, 4))
        seq = UInt32(read(4, 4))
        delta = Int64(bitPattern: read(8, 8))
    }
}

/// A 64-bit running hash of an applied command history: two replicas with equal digests at the
/// same index applied the same sequence with the same outcomes.
enum HistoryDigest {
    static func mix(_ digest: UInt64, _ value: UInt64) -> UInt64 {
        var z = (digest ^ value) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Identity of an entry's content (kind + payload), for log-matching checks.
    static func of(_ entry: LogEntry) -> UInt64 {
        var digest: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(entry.kind.rawValue)
        for byte in entry.payload.bytes { digest = (digest ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return digest
    }

    /// The digest after applying `command` at `index` with the given outcome.
    static func after(_ digest: UInt64, index: LogIndex, command: CounterCommand?, tookEffect: Bool) -> UInt64 {
        var next = mix(digest, index)
        if let command {
            next = mix(next, command.sessionKey)
            next = mix(next, UInt64(bitPattern: command.delta) << 1 | (tookEffect ? 1 : 0))
        }
        return next
    }
}

/// The tiny replicated state machine of the simulation: a counter with exactly-once client
/// sessions (a retried request whose seq was already applied has no effect).
struct CounterState: Equatable {
    static let maxClients = 8

    var appliedIndex: LogIndex = 0
    var counter: Int64 = 0
    var lastSeqByClient = [UInt32](repeating: 0, count: CounterState.maxClients)
    var digest: UInt64 = 0

    /// Applies one committed entry; returns the command it carried, if any.
    @discardableResult
    mutating func apply(_ entry: LogEntry) -> CounterCommand? {
        precondition(entry.index == appliedIndex + 1, "applying \(entry.index) after \(appliedIndex)")
        appliedIndex = entry.index
        guard entry.kind == .normal else {
            digest = HistoryDigest.after(digest, index: entry.index, command: nil, tookEffect: false)
            return nil
        }
        let command = CounterCommand(decoding: entry.payload)
        let client = Int(command.client)
        let tookEffect = command.seq > lastSeqByClient[client]
        if tookEffect {
            lastSeqByClient[client] = command.seq
            counter += command.delta
        }
        digest = HistoryDigest.after(digest, index: entry.index, command: command, tookEffect: tookEffect)
        return command
    }
}
