import Foundation

/// Finds a shard's snapshot files in a node's data directory and compares their compression
/// with the `lz4` tool at level 1 on exactly the same uncompressed bytes.
enum SnapshotFiles {
    struct Manifest {
        var path: String
        var index: Int
        var uncompressedBytes: Int
        var compressedBytes: Int
        var filter: String
    }

    /// The manifest of `shard`'s snapshot at `index` (the highest index when nil).
    static func manifest(in directory: String, shard: Int, index: Int? = nil) -> Manifest? {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return nil }
        var best: Manifest?
        for case let relative as String in walker where relative.hasSuffix(".json") && (relative as NSString).lastPathComponent.hasPrefix("snap-") {
            let path = directory + "/" + relative
            guard
                let data = FileManager.default.contents(atPath: path),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                object["shard"] as? Int == shard, let found = object["index"] as? Int,
                let uncompressed = object["uncompressedBytes"] as? Int, let compressed = object["compressedBytes"] as? Int
            else { continue }
            if let index, found != index { continue }
            if best == nil || found > best!.index {
                best = Manifest(
                    path: String(path.dropLast(".json".count)) + ".lz4", index: found, uncompressedBytes: uncompressed,
                    compressedBytes: compressed, filter: object["filter"] as? String ?? "")
            }
        }
        return best
    }

    struct LZ4Comparison {
        var compressedBytes: Int
        var seconds: Double
    }

    /// Decompresses the snapshot with `lz4 -d` and recompresses the result with `lz4 -1`;
    /// nil when the tool is missing or fails.
    static func compareWithLZ4(_ manifest: Manifest, scratch: String) -> LZ4Comparison? {
        let lz4 = ["/usr/bin/lz4", "/usr/local/bin/lz4"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let lz4 else { return nil }
        let plain = scratch + "/state.bin", packed = scratch + "/state.bin.lz4"
        defer {
            try? FileManager.default.removeItem(atPath: plain)
            try? FileManager.default.removeItem(atPath: packed)
        }
        guard ChildProcess.output(lz4, ["-d", "-f", "-q", manifest.path, plain]) != nil else { return nil }
        let start = ContinuousClock.now
        guard ChildProcess.output(lz4, ["-1", "-f", "-q", plain, packed]) != nil else { return nil }
        let seconds = Double((ContinuousClock.now - start).nanoseconds) / 1e9
        guard let size = (try? FileManager.default.attributesOfItem(atPath: packed))?[.size] as? Int else { return nil }
        return LZ4Comparison(compressedBytes: size, seconds: seconds)
    }
}
