import Foundation
import NIOCore
import ParasolConsensus
import ParasolStorage

/// Runs `body` with a fresh directory under the system's temporary directory and removes it
/// afterwards, whether `body` succeeds or throws.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("parasol-storage-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url.path)
}

/// SplitMix64: a tiny deterministic generator, so every run of a test sees the same bytes.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(count)
        while result.count < count {
            withUnsafeBytes(of: next()) { result.append(contentsOf: $0.prefix(count - result.count)) }
        }
        return result
    }
}

func readFile(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func appendToFile(_ path: String, _ bytes: [UInt8]) throws {
    try writeFile(path, try readFile(path) + bytes)
}

/// Inverts every bit of the byte at `offset`.
func flipByte(_ path: String, at offset: Int) throws {
    var bytes = try readFile(path)
    bytes[offset] ^= 0xFF
    try writeFile(path, bytes)
}

func fileSize(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
}

/// Sorted names in `directory` that start with `prefix`.
func fileNames(in directory: String, prefix: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(prefix) }.sorted()
}

/// A bit-by-bit CRC-32C (Castagnoli, reflected 0x82F63B78): an independent reference for
/// manifests the tests write by hand.
func referenceCRC32C(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 {
            crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
        }
    }
    return ~crc
}

/// Runs an executable and returns its exit status.
@discardableResult
func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

// MARK: Log helpers

/// A record at `index` with term 0 and a type derived from the index.
func logRecord(_ index: UInt64, _ payload: [UInt8]) -> LogRecord {
    LogRecord(term: 0, index: index, type: UInt8(truncatingIfNeeded: index % 7), payload: EntryPayload(payload))
}

/// The path of the segment whose first record has `index`.
func segmentPath(_ directory: String, _ index: UInt64) -> String {
    let digits = String(index)
    return directory + "/wal-" + String(repeating: "0", count: 20 - digits.count) + digits + ".log"
}

/// The byte offset at which record `position` (0-based) starts in a segment holding records
/// with these payload sizes from its start.
func recordOffset(_ position: Int, payloadSizes: [Int]) -> Int {
    payloadSizes.prefix(position).reduce(0) { $0 + 25 + $1 }
}

/// Payloads of seeded random sizes in `0...bytesMax` and seeded random content.
func seededPayloads(count: Int, bytesMax: Int, seed: UInt64) -> [[UInt8]] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in
        let size = Int(generator.next() % UInt64(bytesMax + 1))
        return generator.bytes(size)
    }
}

// MARK: Thread-safe recorders for completions

/// Counts completions delivered on the log's writer thread.
final class Completions: @unchecked Sendable {
    // @unchecked: every field is guarded by `lock`.
    private let lock = NSLock()
    private var successCount = 0
    private var failureList: [any Error] = []

    func record(_ result: Result<Void, any Error>) {
        lock.withLock {
            switch result {
            case .success: successCount += 1
            case .failure(let error): failureList.append(error)
            }
        }
    }

    var successes: Int { lock.withLock { successCount } }
    var failures: [any Error] { lock.withLock { failureList } }
}

/// Records indices in the order completions arrive.
final class OrderRecorder: @unchecked Sendable {
    // @unchecked: `recorded` is guarded by `lock`.
    private let lock = NSLock()
    private var recorded: [UInt64] = []

    func append(_ index: UInt64) {
        lock.withLock { recorded.append(index) }
    }

    var indices: [UInt64] { lock.withLock { recorded } }
}

/// A counter any thread may increment.
final class Counter: @unchecked Sendable {
    // @unchecked: `value` is guarded by `lock`.
    private let lock = NSLock()
    private var value = 0

    /// Adds one and returns the new value.
    func increment() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}
