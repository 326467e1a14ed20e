import Dispatch
import Glibc
import Synchronization

/// Appends to a file through `O_DIRECT`, overlapping each chunk's write with the filling of the
/// next ones on a second thread, one write at a time.
///
/// Why: on these VMs the kernel's copy into freshly allocated page-cache pages is the slowest
/// step of writing a large file: it cost twice as much CPU as compressing a snapshot, and it
/// capped the write-ahead log at ~330 MB/s while `fdatasync` of the same bytes ran at over
/// 2 GB/s. With `O_DIRECT` the device reads our reused staging buffers itself. Where the
/// file system refuses `O_DIRECT` (tmpfs), or the caller asks for the page cache, the same
/// aligned writes go through the page cache.
///
/// Two users: a snapshot (one file written once: `append`, then `finish`) and a log segment
/// (`flush` after each batch, which makes the bytes so far reach the file and keeps the
/// partial last block in memory, so the next write rewrites it with what follows). Until
/// `finish`, the file may be longer than the bytes appended (zeros up to the next 4 KiB), which
/// readers must bound by the length `flush` returned. Not thread-safe: one producer.
final class DirectFileWriter: @unchecked Sendable {
    // @unchecked: the writer thread reads `fd` and `path` only while a write it was given is
    // pending (the producer changes them only with nothing pending) and `firstError` (a
    // mutex); everything else belongs to the one producer.
    /// `O_DIRECT` needs the buffer address, the length and the file offset aligned to the
    /// device's logical block; 4096 covers every device we run on.
    static let alignment = 4096
    static let chunkBytesMax = 4 << 20
    /// The size of each staging buffer: `chunkBytesMax` (or the caller's), less for a small file.
    /// It is also the longest a write ahead of someone else's (a log's fdatasync) holds the
    /// device; with one write in flight at a time, the other buffers keep the producer going.
    let chunkBytes: Int
    /// False when the caller asked for the page cache (a log that is not synced).
    let wantsDirectIO: Bool

    private(set) var fd: Int32
    private var path: String
    private let buffers: [UnsafeMutableRawBufferPointer]
    private let writesInFlight: [DispatchGroup]
    private let queue = DispatchQueue(label: "parasol.direct-file-writer")
    private let firstError = Mutex<FileSystemError?>(nil)
    private var current = 0
    /// Bytes of the current buffer that hold file content; its first byte is at `fileOffset`.
    private var filled = 0
    /// Where the current buffer goes in the file: always a multiple of `alignment`.
    private var fileOffset = 0

    /// Appends to the empty file open for writing at `fd` (which the caller keeps and closes),
    /// switching it to `O_DIRECT` when the file system allows it and `directIO` is true, through
    /// `bufferCount` staging buffers of at most `chunkBytesMax`.
    init(
        fd: Int32, path: String, expectedBytes: Int = DirectFileWriter.chunkBytesMax, directIO: Bool = true,
        chunkBytesMax: Int = DirectFileWriter.chunkBytesMax, bufferCount: Int = 2
    ) {
        precondition(chunkBytesMax % Self.alignment == 0 && bufferCount >= 2, "chunks of whole blocks, at least two buffers")
        chunkBytes = min(chunkBytesMax, max(Self.alignment, (expectedBytes + Self.alignment - 1) / Self.alignment * Self.alignment))
        wantsDirectIO = directIO
        self.fd = fd
        self.path = path
        buffers = (0..<bufferCount).map { [chunkBytes] _ in .allocate(byteCount: chunkBytes, alignment: Self.alignment) }
        writesInFlight = (0..<bufferCount).map { _ in DispatchGroup() }
        enterDirectIO()
    }

    deinit {
        // Every queued write holds `self`, so none is pending here.
        for buffer in buffers { buffer.deallocate() }
    }

    /// The exact length of the file as appended so far.
    var length: Int { fileOffset + filled }

    /// Continues another file, open for writing at `fd`, whose content is its first `length`
    /// bytes (the caller keeps and closes the fd). The partial block at `length` is read back,
    /// so the next write rewrites it together with what follows. The buffers are reused: they
    /// are warm, and fresh memory is slow to touch on these VMs. Call only after `flush` or
    /// `finish` (nothing pending).
    func continueFile(fd: Int32, path: String, length: Int) throws(FileSystemError) {
        self.fd = fd
        self.path = path
        firstError.withLock { $0 = nil }
        enterDirectIO()
        fileOffset = length / Self.alignment * Self.alignment
        filled = length - fileOffset
        guard filled > 0 else { return }
        let block = UnsafeMutableRawBufferPointer(rebasing: buffers[current][0..<Self.alignment])
        var readBytes: Int
        do throws(FileSystemError) {
            readBytes = try FileIO.read(fd, into: block, at: fileOffset, path: path)
        } catch where error.errnoCode == EINVAL && leaveDirectIO() {
            readBytes = try FileIO.read(fd, into: block, at: fileOffset, path: path)
        }
        guard readBytes >= filled else {
            throw FileSystemError(operation: "read back the last \(filled) bytes (file ends \(fileOffset + readBytes) bytes in)", path: path, errnoCode: EIO)
        }
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws(FileSystemError) {
        var consumed = 0
        while consumed < bytes.count {
            let take = min(bytes.count - consumed, chunkBytes - filled)
            (buffers[current].baseAddress! + filled).copyMemory(from: bytes.baseAddress! + consumed, byteCount: take)
            filled += take
            consumed += take
            if filled == chunkBytes { try submitFullChunk() }
        }
    }

    /// Writes everything appended so far, the last block padded with zeros, and waits for every
    /// write; keeps the partial last block for the next write. Returns the exact length.
    @discardableResult
    func flush() throws(FileSystemError) -> Int {
        let exactLength = length
        let padded = (filled + Self.alignment - 1) / Self.alignment * Self.alignment
        if padded > filled {
            (buffers[current].baseAddress! + filled).initializeMemory(as: UInt8.self, repeating: 0, count: padded - filled)
        }
        // The caller waits anyway: the last write runs on this thread, after the one in flight.
        for group in writesInFlight { group.wait() }
        if let error = firstError.withLock({ $0 }) { throw error }
        if padded > 0 {
            try write(UnsafeRawBufferPointer(rebasing: buffers[current][0..<padded]), at: fileOffset)
        }
        let kept = filled % Self.alignment
        let keptStart = filled - kept
        if keptStart > 0 {
            if kept > 0 {
                buffers[current].baseAddress!.copyMemory(from: buffers[current].baseAddress! + keptStart, byteCount: kept)
            }
            fileOffset += keptStart
            filled = kept
        }
        return exactLength
    }

    /// Writes what is left, waits for every write and cuts the padding off. Returns the file's
    /// length: exactly the bytes appended (not yet fsynced).
    func finish() throws(FileSystemError) -> Int {
        let exactLength = try flush()
        while ftruncate(fd, off_t(exactLength)) != 0 {
            if errno != EINTR { throw FileSystemError(operation: "ftruncate", path: path, errnoCode: errno) }
        }
        return exactLength
    }

    /// Hands the full current buffer to the writer thread and switches to the next buffer once
    /// its previous write is done.
    private func submitFullChunk() throws(FileSystemError) {
        let chunk = SendableChunk(UnsafeRawBufferPointer(rebasing: buffers[current][0..<filled]))
        let offset = fileOffset
        let group = writesInFlight[current]
        group.enter()
        queue.async {
            defer { group.leave() }
            guard self.firstError.withLock({ $0 == nil }) else { return }
            do throws(FileSystemError) {
                try self.write(chunk.bytes, at: offset)
            } catch {
                self.firstError.withLock { if $0 == nil { $0 = error } }
            }
        }
        fileOffset += filled
        filled = 0
        current = (current + 1) % buffers.count
        writesInFlight[current].wait()
        if let error = firstError.withLock({ $0 }) { throw error }
    }

    private func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(FileSystemError) {
        do throws(FileSystemError) {
            try FileIO.write(fd, bytes, at: offset, path: path)
        } catch where error.errnoCode == EINVAL && leaveDirectIO() {
            // The file system took the flag but refuses the writes (stricter alignment, or no
            // real support): the same write through the page cache.
            try FileIO.write(fd, bytes, at: offset, path: path)
        }
    }

    private func enterDirectIO() {
        // Refused with EINVAL where there is no direct I/O: the page cache it is, then.
        if wantsDirectIO, let direct = Self.oDirect {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | direct)
        }
    }

    /// Clears `O_DIRECT` on the file; whether it was set.
    private func leaveDirectIO() -> Bool {
        guard let direct = Self.oDirect else { return false }
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, flags & direct != 0 else { return false }
        return fcntl(fd, F_SETFL, flags & ~direct) == 0
    }

    /// Linux's `O_DIRECT`, which Swift's Glibc module does not import (a `_GNU_SOURCE` flag);
    /// its value is part of each architecture's ABI.
    private static var oDirect: Int32? {
        #if arch(x86_64) || arch(i386)
        return 0o40000
        #elseif arch(arm64) || arch(arm)
        return 0o200000
        #else
        return nil
        #endif
    }
}

/// A staging buffer handed to the writer thread; the producer does not touch it until the
/// write's group is left.
private struct SendableChunk: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
}
