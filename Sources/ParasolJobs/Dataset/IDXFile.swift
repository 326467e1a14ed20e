/// The contents of an IDX file of unsigned bytes (the format the MNIST family ships in):
/// big-endian magic `0x0000_08nn` (type 0x08 = ubyte, nn = dimension count), nn big-endian
/// UInt32 dimensions, then the bytes row-major.
struct IDXFile {
    /// Magic of a rank-3 ubyte tensor: `[count, rows, columns]` images.
    static let imagesMagic: UInt32 = 0x0000_0803
    /// Magic of a rank-1 ubyte tensor: `[count]` labels.
    static let labelsMagic: UInt32 = 0x0000_0801

    let dimensions: [Int]
    /// The whole file; the data starts at `payloadOffset`. Kept whole to avoid copying 47 MB.
    let storage: [UInt8]
    let payloadOffset: Int

    var payloadCount: Int { storage.count - payloadOffset }

    /// Validates `bytes` as an IDX file with the given magic; `path` only names the file in errors.
    ///
    /// The dimensions are checked against the bytes actually present before anything is sized
    /// from them, so a corrupt header cannot make us allocate or read out of bounds.
    init(parsing bytes: [UInt8], expectedMagic: UInt32, path: String) throws(DatasetError) {
        guard bytes.count >= 4 else { throw .truncated(path: path, expectedBytes: 4, actualBytes: bytes.count) }
        let magic = IDXFile.bigEndianWord(bytes, at: 0)
        guard magic == expectedMagic else { throw .badMagic(path: path, expected: expectedMagic, found: magic) }

        let rank = Int(magic & 0xFF)
        let headerBytes = 4 + 4 * rank
        guard bytes.count >= headerBytes else {
            throw .truncated(path: path, expectedBytes: headerBytes, actualBytes: bytes.count)
        }
        let rawDimensions = (0..<rank).map { IDXFile.bigEndianWord(bytes, at: 4 + 4 * $0) }
        var payloadBytes = 1
        for dimension in rawDimensions {
            let (product, overflow) = payloadBytes.multipliedReportingOverflow(by: Int(dimension))
            guard !overflow else { throw .implausibleDimensions(path: path, dimensions: rawDimensions) }
            payloadBytes = product
        }
        let expectedBytes = headerBytes + payloadBytes
        guard bytes.count >= expectedBytes else {
            throw .truncated(path: path, expectedBytes: expectedBytes, actualBytes: bytes.count)
        }
        guard bytes.count == expectedBytes else {
            throw .trailingBytes(path: path, expectedBytes: expectedBytes, actualBytes: bytes.count)
        }
        dimensions = rawDimensions.map(Int.init)
        storage = bytes
        payloadOffset = headerBytes
    }

    private static func bigEndianWord(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }
}
