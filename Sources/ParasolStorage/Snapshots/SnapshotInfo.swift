/// What a snapshot's manifest says about it, plus where its files are.
public struct SnapshotInfo: Sendable, Equatable {
    /// The shard the content belongs to, as the writer declared it.
    public var shard: UInt32
    /// The log index the content reflects: every entry up to and including it is applied.
    public var index: UInt64
    /// The term of the entry at `index`.
    public var term: UInt64
    /// The size of the content before compression.
    public var uncompressedBytes: Int
    /// The size of the `.lz4` file.
    public var compressedBytes: Int
    /// The transform the writer applied to the content before handing it over (such as
    /// `byteshuffle4`), recorded for readers; the store never applies or undoes it.
    public var filter: String
    /// CRC-32C of the whole `.lz4` file.
    public var crc32c: UInt32
    /// CRC-32C of the content before compression, checked after decompression: the end-to-end
    /// check that LZ4's xxHash32 content checksum did at a third of the write time. Nil in
    /// manifests written before it existed; their frames carry the LZ4 content checksum.
    public var contentCRC32C: UInt32?
    public var createdUnixSeconds: Int64
    /// The path of the `.lz4` file.
    public var path: String
    /// The path of the `.json` manifest.
    public var manifestPath: String
}

/// The JSON manifest written next to each snapshot. It is written last, so its presence is the
/// commit point of a snapshot: a `.lz4` without one is debris of an interrupted write.
struct SnapshotManifest: Codable, Equatable {
    static let currentFormat = 1

    var format: Int
    var shard: UInt32
    var index: UInt64
    var term: UInt64
    var uncompressedBytes: Int
    var compressedBytes: Int
    var filter: String
    var crc32c: UInt32
    var contentCRC32C: UInt32?
    var createdUnixSeconds: Int64

    init(info: SnapshotInfo) {
        format = Self.currentFormat
        shard = info.shard
        index = info.index
        term = info.term
        uncompressedBytes = info.uncompressedBytes
        compressedBytes = info.compressedBytes
        filter = info.filter
        crc32c = info.crc32c
        contentCRC32C = info.contentCRC32C
        createdUnixSeconds = info.createdUnixSeconds
    }

    func info(path: String, manifestPath: String) -> SnapshotInfo {
        SnapshotInfo(
            shard: shard, index: index, term: term, uncompressedBytes: uncompressedBytes,
            compressedBytes: compressedBytes, filter: filter, crc32c: crc32c, contentCRC32C: contentCRC32C,
            createdUnixSeconds: createdUnixSeconds, path: path, manifestPath: manifestPath)
    }
}
