/// The bounded window of append messages sent to one follower and not yet acknowledged
/// (pipelined replication). Holds the last index each message carried, oldest first, in a ring.
struct InflightWindow: Sendable {
    private var lastIndexes: [LogIndex]
    private var start = 0
    private(set) var count = 0

    init(capacity: Int) {
        precondition(capacity >= 1, "an in-flight window needs room for at least one message")
        lastIndexes = Array(repeating: 0, count: capacity)
    }

    var capacity: Int { lastIndexes.count }
    var isFull: Bool { count == capacity }

    mutating func add(lastIndex: LogIndex) {
        precondition(!isFull, "sending beyond the in-flight window of \(capacity) messages")
        if count > 0 {
            precondition(lastIndex > lastIndexes[(start + count - 1) % capacity],
                         "in-flight messages must carry increasing indexes")
        }
        lastIndexes[(start + count) % capacity] = lastIndex
        count += 1
    }

    /// The follower acknowledged everything through `index`: every message ending there or before is done.
    mutating func free(through index: LogIndex) {
        while count > 0 && lastIndexes[start] <= index {
            start = (start + 1) % capacity
            count -= 1
        }
    }

    /// Makes room for one more message without an acknowledgement (a heartbeat answered while
    /// the window is full: the follower is alive, so some message was probably lost).
    mutating func freeOldest() {
        guard count > 0 else { return }
        start = (start + 1) % capacity
        count -= 1
    }

    mutating func reset() {
        start = 0
        count = 0
    }
}
