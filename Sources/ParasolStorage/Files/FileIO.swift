import Glibc

/// Thin wrappers over the POSIX file calls the log and the snapshot store need. Each retries
/// `EINTR`, loops over short reads and writes, and throws a `FileSystemError` naming the file.
enum FileIO {
    /// Creates `path` and any missing parents (`mkdir -p`).
    static func createDirectory(_ path: String) throws(FileSystemError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw FileSystemError(operation: "mkdir", path: current, errnoCode: errno)
            }
        }
    }

    /// The names (not paths) of the entries of `directory`.
    static func listDirectory(_ directory: String) throws(FileSystemError) -> [String] {
        guard let stream = opendir(directory) else {
            throw FileSystemError(operation: "opendir", path: directory, errnoCode: errno)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func openForReading(_ path: String) throws(FileSystemError) -> Int32 {
        try open(path, flags: O_RDONLY | O_CLOEXEC, operation: "open for reading")
    }

    /// Readable too: a writer that continues a file reads back its partial last block.
    static func openForWriting(_ path: String, truncate: Bool) throws(FileSystemError) -> Int32 {
        try open(path, flags: O_RDWR | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0), operation: "open for writing")
    }

    /// Creates `path`, failing if it exists: a new log segment never overwrites anything.
    static func createNew(_ path: String) throws(FileSystemError) -> Int32 {
        try open(path, flags: O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, operation: "create")
    }

    private static func open(_ path: String, flags: Int32, operation: String) throws(FileSystemError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags, 0o644)
            if fd >= 0 { return fd }
            if errno != EINTR { throw FileSystemError(operation: operation, path: path, errnoCode: errno) }
        }
    }

    /// Opens (creating) `path` and takes an exclusive `flock` on it without waiting. Returns
    /// nil when another open file description holds the lock (another process, or another open
    /// in this one). The lock lasts until the descriptor is closed.
    static func lockExclusively(_ path: String) throws(FileSystemError) -> Int32? {
        let fd = try openForWriting(path, truncate: false)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(fd)
            if code == EWOULDBLOCK { return nil }
            throw FileSystemError(operation: "flock", path: path, errnoCode: code)
        }
        return fd
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    static func fileSize(_ fd: Int32, path: String) throws(FileSystemError) -> Int {
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw FileSystemError(operation: "fstat", path: path, errnoCode: errno)
        }
        return Int(status.st_size)
    }

    /// Reads up to `buffer.count` bytes at `offset`; fewer only at the end of the file.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int, path: String) throws(FileSystemError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n > 0 {
                done += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                throw FileSystemError(operation: "pread", path: path, errnoCode: errno)
            }
        }
        return done
    }

    /// Writes all of `bytes` at the current file position.
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(FileSystemError) {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n >= 0 {
                done += n
            } else if errno != EINTR {
                throw FileSystemError(operation: "write", path: path, errnoCode: errno)
            }
        }
    }

    /// Writes all of `bytes` at `offset`, leaving the file position alone.
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int, path: String) throws(FileSystemError) {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n > 0 {
                done += n
            } else if n == 0 {
                throw FileSystemError(operation: "pwrite (no progress)", path: path, errnoCode: EIO)
            } else if errno != EINTR {
                throw FileSystemError(operation: "pwrite", path: path, errnoCode: errno)
            }
        }
    }

    static func truncate(_ fd: Int32, toBytes size: Int, path: String) throws(FileSystemError) {
        while ftruncate(fd, off_t(size)) != 0 {
            if errno != EINTR { throw FileSystemError(operation: "ftruncate", path: path, errnoCode: errno) }
        }
    }

    /// Flushes the file's data and the metadata needed to read it back (its size), not its times.
    static func dataSync(_ fd: Int32, path: String) throws(FileSystemError) {
        while fdatasync(fd) != 0 {
            if errno != EINTR { throw FileSystemError(operation: "fdatasync", path: path, errnoCode: errno) }
        }
    }

    static func fullSync(_ fd: Int32, path: String) throws(FileSystemError) {
        while fsync(fd) != 0 {
            if errno != EINTR { throw FileSystemError(operation: "fsync", path: path, errnoCode: errno) }
        }
    }

    /// Makes created, renamed and removed names in `directory` durable: without it a crash can
    /// bring back a deleted file or lose a freshly renamed one.
    static func syncDirectory(_ directory: String) throws(FileSystemError) {
        let fd = try open(directory, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC, operation: "open directory")
        defer { close(fd) }
        try fullSync(fd, path: directory)
    }

    static func rename(_ source: String, to destination: String) throws(FileSystemError) {
        guard Glibc.rename(source, destination) == 0 else {
            throw FileSystemError(operation: "rename to \(destination)", path: source, errnoCode: errno)
        }
    }

    /// Removes `path`; a file that is already gone is not an error.
    static func remove(_ path: String) throws(FileSystemError) {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw FileSystemError(operation: "unlink", path: path, errnoCode: errno)
        }
    }
}

extension FileIO {
    /// Writes `path` under a temporary name, syncs it, renames it into place and syncs the
    /// directory: after a crash the name holds either the complete new file or what it held
    /// before, never a prefix.
    static func writeAtomically(_ path: String, inDirectory directory: String, _ write: (_ fd: Int32, _ temporaryPath: String) throws -> Void) throws {
        let temporaryPath = path + temporarySuffix
        let fd = try openForWriting(temporaryPath, truncate: true)
        do {
            try write(fd, temporaryPath)
            try fullSync(fd, path: temporaryPath)
            close(fd)
        } catch {
            close(fd)
            try? remove(temporaryPath)
            throw error
        }
        do {
            try rename(temporaryPath, to: path)
        } catch {
            try? remove(temporaryPath)
            throw error
        }
        try syncDirectory(directory)
    }

    /// The suffix of files `writeAtomically` has not renamed yet; any left at start are debris
    /// of a crash.
    static let temporarySuffix = ".tmp"
}
