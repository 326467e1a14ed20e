/// What the exactly-once table remembers about one client: the floor below which every sequence
/// counts as seen (the client promised never to send those again), and the sequences applied at
/// or above it, kept sorted ascending.
struct ClientWindow {
    private(set) var acknowledgedBelow: UInt64
    /// Strictly ascending, every element ≥ `acknowledgedBelow`.
    private(set) var appliedSequences: [UInt64]
    /// Log index of this client's latest push (applied or duplicate): when its session expires.
    var lastActiveIndex: UInt64

    init(acknowledgedBelow: UInt64 = 0, appliedSequences: [UInt64] = [], lastActiveIndex: UInt64 = 0) {
        self.acknowledgedBelow = acknowledgedBelow
        self.appliedSequences = appliedSequences
        self.lastActiveIndex = lastActiveIndex
    }

    func hasSeen(_ sequence: UInt64) -> Bool {
        sequence < acknowledgedBelow || insertionPoint(of: sequence).found
    }

    /// How many sequences the window would hold after raising the floor to `floor` and
    /// recording `sequence`.
    func countAfter(recording sequence: UInt64, floor: UInt64) -> Int {
        let newFloor = max(floor, acknowledgedBelow)
        let kept = appliedSequences.count - insertionPoint(of: newFloor).index
        guard sequence >= newFloor, !insertionPoint(of: sequence).found else { return kept }
        return kept + 1
    }

    /// Records an applied sequence; the caller has ruled out duplicates, so it is at or above the floor.
    mutating func record(_ sequence: UInt64) {
        precondition(sequence >= acknowledgedBelow, "recording sequence \(sequence) below the floor \(acknowledgedBelow)")
        let point = insertionPoint(of: sequence)
        if !point.found {
            appliedSequences.insert(sequence, at: point.index)
        }
    }

    /// Raises the floor (it never falls) and forgets the sequences below it.
    mutating func raiseFloor(to floor: UInt64) {
        guard floor > acknowledgedBelow else { return }
        acknowledgedBelow = floor
        appliedSequences.removeFirst(insertionPoint(of: floor).index)
    }

    /// Binary search: the index of the first element ≥ `value`, and whether it equals `value`.
    private func insertionPoint(of value: UInt64) -> (index: Int, found: Bool) {
        var low = 0
        var high = appliedSequences.count
        while low < high {
            let middle = (low + high) / 2
            if appliedSequences[middle] < value {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return (low, low < appliedSequences.count && appliedSequences[low] == value)
    }
}
