/// Constants of the shard snapshot layout; `Protocols/snapshot.md` documents every field.
public enum SnapshotFormat {
    /// The first four bytes of every snapshot: "PSNP".
    public static let magic: [UInt8] = Array("PSNP".utf8)
    /// The layout version this code writes. Version 2 added each client's last active index
    /// (session expiry by the log).
    public static let formatVersion: UInt16 = 2
    /// The versions this code reads: 1 (clients without a last active index) and 2.
    public static let readableVersions: ClosedRange<UInt16> = 1...2
    /// Header flag bit 0: every float array is byte-shuffled (all byte 0s, then all byte 1s, …).
    public static let floatsByteShuffledFlag: UInt16 = 1 << 0
    /// Every flag bit this version defines; a snapshot with any other bit set is refused.
    public static let knownFlags: UInt16 = floatsByteShuffledFlag
    /// The filter name the snapshot manifest records for shuffled content.
    public static let filterName = "byteshuffle4"

    /// Tags of `Initializer` cases.
    enum InitializerTag: UInt8 {
        case zeros = 0
        case constant = 1
        case uniform = 2
        case normal = 3
    }

    /// Tags of `OptimizerConfig` cases.
    enum OptimizerTag: UInt8 {
        case sgd = 0
        case momentum = 1
        case adam = 2
        case adagrad = 3
    }
}
