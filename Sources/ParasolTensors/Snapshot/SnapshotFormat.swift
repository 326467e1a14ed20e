/// Constants of the shard snapshot layout; `Protocols/snapshot.md` documents every field.
public enum SnapshotFormat {
    /// The first four bytes of every snapshot: "PSNP".
    public static let magic: [UInt8] = Array("PSNP".utf8)
    /// The layout version this code writes. Version 2 added each client's last active index
    /// (session expiry by the log); version 3 the shuffle in blocks (flag bit 1); version 4 the
    /// bit planes of the sign-and-exponent byte (flag bit 2).
    public static let formatVersion: UInt16 = 4
    /// The versions this code reads: 1 (clients without a last active index), 2, 3 and 4.
    public static let readableVersions: ClosedRange<UInt16> = 1...4
    /// The first version in which flag bit 1 may be set.
    static let shuffleBlocksVersion: UInt16 = 3
    /// The first version in which flag bit 2 may be set.
    static let signExponentBitPlanesVersion: UInt16 = 4
    /// Header flag bit 0: every float array is byte-shuffled (all byte 0s, then all byte 1s, …).
    public static let floatsByteShuffledFlag: UInt16 = 1 << 0
    /// Header flag bit 1, only with bit 0: the shuffle runs over blocks of `shuffleBlockFloats`
    /// floats, each block's four planes stored together, instead of over the whole array.
    /// Writing then reads each array once instead of four times (the shuffle had taken a third
    /// of a 3 GiB snapshot's time); snapshots with bit 0 alone still read.
    public static let floatsShuffledInBlocksFlag: UInt16 = 1 << 1
    /// Header flag bit 2, only with bits 0 and 1: in every shuffle block, the plane of byte 3
    /// (sign and the top 7 exponent bits) is stored as its 8 bit planes (`BitTranspose`). LZ4
    /// compresses that plane about 5× faster and 1.3× smaller than the plain bytes; it had been
    /// two thirds of a snapshot's compression time.
    public static let signExponentBitPlanesFlag: UInt16 = 1 << 2
    /// Floats per shuffle block (4 MiB of floats, which stay in cache across the four planes).
    public static let shuffleBlockFloats = 1 << 20
    /// Every flag bit this version defines; a snapshot with any other bit set is refused.
    public static let knownFlags: UInt16 = floatsByteShuffledFlag | floatsShuffledInBlocksFlag | signExponentBitPlanesFlag
    /// The flags this version writes for shuffled content.
    static let shuffledFlags: UInt16 = knownFlags

    /// The flag bits a snapshot of `version` may set.
    static func knownFlags(inVersion version: UInt16) -> UInt16 {
        switch version {
        case signExponentBitPlanesVersion...: knownFlags
        case shuffleBlocksVersion...: floatsByteShuffledFlag | floatsShuffledInBlocksFlag
        default: floatsByteShuffledFlag
        }
    }
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
