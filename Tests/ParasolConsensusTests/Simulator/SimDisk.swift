import ParasolConsensus

/// One replica's disk: what is durable, and what was written but not yet synced.
/// A crash keeps the durable part and, when the fault says so, a prefix of the unsynced writes.
struct SimDisk {
    enum Write {
        case snapshot(SnapshotMeta, CounterState)
        case entry(LogEntry)
        case hardState(HardState)
    }

    private(set) var hardState = HardState()
    private(set) var snapshot = SnapshotMeta.empty
    private(set) var snapshotState = CounterState()
    private(set) var entries: [LogEntry] = []
    private(set) var unsynced: [Write] = []

    var persistedState: PersistedState {
        PersistedState(hardState: hardState, snapshot: snapshot, entries: entries)
    }

    /// The writes a `Ready` asks for, in the order `Ready` documents.
    mutating func write(_ ready: Ready, snapshotState: CounterState?) {
        precondition(unsynced.isEmpty, "a new Ready was written before the previous one synced")
        if let meta = ready.snapshot, let snapshotState { unsynced.append(.snapshot(meta, snapshotState)) }
        for entry in ready.entries { unsynced.append(.entry(entry)) }
        if let hardState = ready.hardState { unsynced.append(.hardState(hardState)) }
    }

    mutating func sync() {
        for write in unsynced { makeDurable(write) }
        unsynced = []
    }

    /// Power loss: the first `survivingWrites` unsynced writes made it to the platter.
    mutating func crash(survivingWrites: Int) {
        for write in unsynced.prefix(survivingWrites) { makeDurable(write) }
        unsynced = []
    }

    /// The application's own snapshot: durable at once, then the covered entries are dropped.
    mutating func saveSnapshot(_ meta: SnapshotMeta, state: CounterState) {
        precondition(meta.index > snapshot.index, "snapshot \(meta.index) not beyond \(snapshot.index)")
        precondition(meta.index <= snapshot.index + LogIndex(entries.count), "snapshot \(meta.index) beyond the persisted log")
        entries.removeFirst(Int(meta.index - snapshot.index))
        snapshot = meta
        snapshotState = state
    }

    private mutating func makeDurable(_ write: Write) {
        switch write {
        case .snapshot(let meta, let state):
            snapshot = meta
            snapshotState = state
            entries = []
        case .entry(let entry):
            let position = Int(entry.index) - Int(snapshot.index) - 1
            precondition(position >= 0 && position <= entries.count,
                         "entry \(entry.index) does not attach to the persisted log")
            entries.removeSubrange(position...)
            entries.append(entry)
        case .hardState(let state):
            hardState = state
        }
    }
}
