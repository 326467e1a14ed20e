import ParasolConsensus

/// A request from a simulated client to one replica.
struct ClientRequest {
    enum Kind {
        case write(CounterCommand)
        /// `attempt` tells the client which reply belongs to the current attempt.
        case read(attempt: UInt64, requiredIndex: LogIndex)
    }

    var client: UInt32
    var node: NodeID
    var kind: Kind
}

struct ClientReply {
    enum Kind {
        case writeAcknowledged(seq: UInt32)
        case writeRefused(seq: UInt32, leaderHint: NodeID?)
        case readServed(attempt: UInt64)
        case readRefused(attempt: UInt64, leaderHint: NodeID?)
    }

    var client: UInt32
    var kind: Kind
}

/// A client with one request outstanding at a time, retrying against whoever it believes leads.
/// Writes are retried with the same seq (the session makes them exactly-once).
struct SimClient {
    enum Outstanding {
        case write(CounterCommand)
        case read(attempt: UInt64)
    }

    let id: UInt32
    var nextSeq: UInt32 = 1
    var outstanding: Outstanding?
    var target: NodeID
    var retryAtTick: UInt64 = 0
    /// The next retry goes to a replica a refusal named, not to a random one.
    var targetFromHint = false
    var readAttempts: UInt64 = 0
}
