import Glibc

/// Priority for the thread that compresses and writes snapshots.
///
/// Why: compressing a large snapshot keeps a core busy for a second or more. At equal priority
/// it competes with the event loops that serve pushes, and on a two-core machine the push
/// latency of every other shard rose several times while a snapshot was written. At nice 10
/// the scheduler runs an event loop the moment it has work, and the snapshot gets the rest.
/// It is never starved: under full load its scheduler weight (110 against 1024 at nice 0) still
/// gets it roughly a tenth of a core, so a snapshot slows down but finishes.
enum BackgroundThread {
    static let niceness: Int32 = 10

    /// Lowers the calling thread's priority. On Linux `setpriority(PRIO_PROCESS, 0, …)` applies to
    /// the calling thread only. Lowering priority needs no privilege; a failure is harmless.
    static func lowerPriority() {
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
    }
}
