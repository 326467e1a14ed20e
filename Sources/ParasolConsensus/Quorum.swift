/// Majority arithmetic shared by commit (§5.3–5.4) and the leader lease.
enum Quorum {
    /// Votes needed among `voterCount` replicas.
    static func size(voterCount: Int) -> Int { voterCount / 2 + 1 }

    /// The largest value that at least `quorum` of `values` reach: the `quorum`-th largest.
    /// Used for the commit index (values = match indexes) and the lease start (values = acked
    /// send ticks). Insertion sort: groups have 3–7 replicas, so this beats a general sort.
    static func value<T: Comparable>(reachedBy quorum: Int, of values: [T]) -> T {
        precondition(quorum >= 1 && quorum <= values.count, "quorum \(quorum) of \(values.count) values")
        var sorted = values
        for i in 1..<max(sorted.count, 1) {
            let key = sorted[i]
            var j = i - 1
            while j >= 0 && sorted[j] < key {
                sorted[j + 1] = sorted[j]
                j -= 1
            }
            sorted[j + 1] = key
        }
        return sorted[quorum - 1]
    }
}
