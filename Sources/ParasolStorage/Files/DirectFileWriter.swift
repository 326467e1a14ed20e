import Dispatch
import Glibc
import Synchronization

/// Writes a large file of unknown final length through `O_DIRECT`, on a second thread.
///
/// Why: a snapshot is hundreds of MiB written once and read rarely. Through the page cache, the
/// kernel's copy into freshly allocated cache pages cost twice as much CPU as compressing the
/// bytes did on these VMs, and it ran in series with the compression. With `O_DIRECT` the device
/// reads our buffer itself, and with two staging buffers the write of one chunk overlaps
/// the compression of the next. Where the file system refuses `O_DIRECT` (tmpfs), the same
/// aligned writes go through the page cache.
///
/// The caller appends bytes in pieces of any size; `finish()` pads the last chunk to the
/// alignment, writes it, and truncates the file to the exact length. Not thread-safe: one
/// producer.
final class DirectFileWriter: @unchecked Sendable {
    // @unchecked: the writer thread reads only `fd`, `path` (constants) and `firstError` (a
    // mutex); everything else belongs to the one producer.
    /// `O_DIRECT` needs the buffer address, the length and the file offset aligned to the
    /// device's logical block; 4096 covers every device we run on.
    static let alignment = 4096
    static let chunkBytesMax = 4 << 20
    /// The size of each staging buffer: `chunkBytesMax`, less for a small file.
    let chunkBytes: Int

    let fd: Int32
    private let path: String
    private let buffers: [UnsafeMutableRawBufferPointer]
    private let writesInFlight = [DispatchGroup(), DispatchGroup()]
    private let queue = DispatchQueue(label: "parasol.direct-file-writer")
    private let firstError = Mutex<FileSystemError?>(nil)
    private var current = 0
    private var filled = 0
    private var fileOffset = 0

    /// Appends to the empty file open for writing at `fd` (which the caller keeps and closes),
    /// switching it to `O_DIRECT` when the file system allows it.
    init(fd: Int32, path: String, expectedBytes: Int = DirectFileWriter.chunkBytesMax) {
        chunkBytes = min(Self.chunkBytesMax, max(Self.alignment, (expectedBytes + Self.alignment - 1) / Self.alignment * Self.alignment))
        self.fd = fd
        self.path = path
        if let direct = Self.oDirect {
            // Refused with EINVAL where there is no direct I/O: the page cache it is, then.
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | direct)
        }
        buffers = (0..<2).map { [chunkBytes] _ in .allocate(byteCount: chunkBytes, alignment: Self.alignment) }
    }

    deinit {
        // Every queued write holds `self`, so none is pending here.
        for buffer in buffers { buffer.deallocate() }
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

    func append(_ bytes: UnsafeRawBufferPointer) throws(FileSystemError) {
        var consumed = 0
        while consumed < bytes.count {
            let take = min(bytes.count - consumed, chunkBytes - filled)
            (buffers[current].baseAddress! + filled).copyMemory(from: bytes.baseAddress! + consumed, byteCount: take)
            filled += take
            consumed += take
            if filled == chunkBytes { try submitCurrentChunk() }
        }
    }

    /// Writes what is left and waits for every write. Returns the file's length: exactly the
    /// bytes appended (not yet fsynced).
    func finish() throws(FileSystemError) -> Int {
        let exactLength = fileOffset + filled
        let padded = (filled + Self.alignment - 1) / Self.alignment * Self.alignment
        if padded > filled {
            (buffers[current].baseAddress! + filled).initializeMemory(as: UInt8.self, repeating: 0, count: padded - filled)
        }
        if padded > 0 {
            filled = padded
            try submitCurrentChunk()
        }
        for group in writesInFlight { group.wait() }
        if let error = firstError.withLock({ $0 }) { throw error }
        while ftruncate(fd, off_t(exactLength)) != 0 {
            if errno != EINTR { throw FileSystemError(operation: "ftruncate", path: path, errnoCode: errno) }
        }
        return exactLength
    }

    /// Hands the filled part of the current buffer to the writer thread and switches to the
    /// other buffer once its previous write is done.
    private func submitCurrentChunk() throws(FileSystemError) {
        let chunk = SendableChunk(UnsafeRawBufferPointer(rebasing: buffers[current][0..<filled]))
        let offset = fileOffset
        let group = writesInFlight[current]
        group.enter()
        queue.async {
            defer { group.leave() }
            guard self.firstError.withLock({ $0 == nil }) else { return }
            do throws(FileSystemError) {
                do throws(FileSystemError) {
                    try FileIO.write(self.fd, chunk.bytes, at: offset, path: self.path)
                } catch where error.errnoCode == EINVAL && self.leaveDirectIO() {
                    // The file system took the flag but refuses the writes (stricter alignment,
                    // or no real support): the same write through the page cache.
                    try FileIO.write(self.fd, chunk.bytes, at: offset, path: self.path)
                }
            } catch {
                self.firstError.withLock { if $0 == nil { $0 = error } }
            }
        }
        fileOffset += filled
        filled = 0
        current = 1 - current
        writesInFlight[current].wait()
        if let error = firstError.withLock({ $0 }) { throw error }
    }
}

/// A staging buffer handed to the writer thread; the producer does not touch it until the
/// write's group is left.
private struct SendableChunk: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
}
