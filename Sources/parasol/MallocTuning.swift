import CMalloc

/// glibc malloc settings for a process that moves tensors of many megabytes per request.
///
/// With the defaults, every such buffer was fresh memory: glibc serves requests above its mmap
/// threshold (adaptive up to 32 MiB, and always in the per-thread arenas, whose heaps stop at
/// 64 MiB) with a new mapping, and hands freed memory back to the kernel at once. Each 4 KiB
/// page of a pulled or pushed tensor then cost a page fault and a zeroing on first touch, and on
/// these VMs that was slower than the copy itself: a 64 MiB pull ran at ~430 MB/s, with ~3 M
/// page faults in one `parasol bench --only dense --sizes 64MiB`. With one arena, buffers up to
/// 64 MiB from the heap, and up to 128 MiB of freed heap kept for reuse, the same pull runs at
/// ~0.8–1 GB/s. Keeping 256 MiB made it ~1.5 GB/s but left a server at 1.27× its state in RSS.
///
/// The cost is bounded: at most `trimThresholdBytes` of freed memory stays mapped (a server
/// holding 3 GiB of weights and Adam state measured 1.02× that in RSS), and allocations larger
/// than `mmapThresholdBytes` (whole large tensors) still get their own mapping and return it
/// when freed. One arena serialises malloc across threads; on the 2-core machines we measure
/// on, small-op throughput did not change.
enum MallocTuning {
    /// Largest allocation served from the heap: a 64 MiB tensor frame and its header.
    static let mmapThresholdBytes: Int32 = 65 << 20
    /// Freed memory at the top of the heap kept for the next request before it is unmapped.
    static let trimThresholdBytes: Int32 = 128 << 20

    /// Must run before other threads allocate, so that none of them gets its own arena.
    static func apply() {
        _ = mallopt(M_ARENA_MAX, 1)
        _ = mallopt(M_MMAP_THRESHOLD, mmapThresholdBytes)
        _ = mallopt(M_TRIM_THRESHOLD, trimThresholdBytes)
    }
}
