import ParasolConsensus

/// Something that happens at a simulated tick.
enum SimEvent {
    case message(RaftMessage)
    /// The disk finished syncing the `Ready` that `node` handed out in `incarnation`.
    case diskSynced(node: NodeID, incarnation: Int)
    case snapshotArrived(SnapshotDelivery)
    case snapshotStreamFailed(leader: NodeID, follower: NodeID)
    case clientRequest(ClientRequest)
    case clientReply(ClientReply)
}

/// All bytes of a snapshot stream arrived at `to`.
struct SnapshotDelivery {
    var from: NodeID
    var to: NodeID
    var term: Term
    var meta: SnapshotMeta
    var state: CounterState
}

/// The simulated world's future: a binary min-heap ordered by (tick, priority). Priorities
/// increase with insertion (FIFO within a tick) unless a fault reorders a message ahead.
struct EventQueue {
    private struct Item {
        var tick: UInt64
        var priority: Int64
        var event: SimEvent

        func precedes(_ other: Item) -> Bool {
            tick != other.tick ? tick < other.tick : priority < other.priority
        }
    }

    private var heap: [Item] = []
    private var insertions: Int64 = 0

    var count: Int { heap.count }

    /// Queues `event` for `tick`; `jumpAhead` lets it overtake up to that many earlier events.
    mutating func push(_ event: SimEvent, at tick: UInt64, jumpAhead: Int64 = 0) {
        insertions += 1
        heap.append(Item(tick: tick, priority: insertions - jumpAhead, event: event))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// The earliest event due at or before `tick`, if any.
    mutating func popDue(atOrBefore tick: UInt64) -> SimEvent? {
        guard let first = heap.first, first.tick <= tick else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count && heap[left].precedes(heap[smallest]) { smallest = left }
                if right < heap.count && heap[right].precedes(heap[smallest]) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first.event
    }
}
