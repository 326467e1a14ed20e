import Foundation
@testable import ParasolJobs

/// Writes tiny Fashion-MNIST-shaped IDX files, gzipped by /usr/bin/gzip, into a fresh directory.
struct DatasetFixture {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "parasol-jobs-idx-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func path(_ split: FashionMNIST.Split, images: Bool) -> String {
        directory + "/" + split.filePrefix + (images ? "-images-idx3-ubyte.gz" : "-labels-idx1-ubyte.gz")
    }

    /// Image `i` has every pixel equal to `pixelValue(i)`; labels are `i % 10`.
    static func pixelValue(_ image: Int) -> UInt8 {
        UInt8((image * 37) % 256)
    }

    static func imagesIDX(count: Int, magic: UInt32 = IDXFile.imagesMagic, side: Int = FashionMNIST.imageSide) -> [UInt8] {
        var bytes = bigEndian(magic) + bigEndian(UInt32(count)) + bigEndian(UInt32(side)) + bigEndian(UInt32(side))
        for image in 0..<count {
            bytes += [UInt8](repeating: pixelValue(image), count: side * side)
        }
        return bytes
    }

    static func labelsIDX(count: Int, magic: UInt32 = IDXFile.labelsMagic) -> [UInt8] {
        bigEndian(magic) + bigEndian(UInt32(count)) + (0..<count).map { UInt8($0 % 10) }
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// Writes a consistent split of `count` examples.
    func writeSplit(_ split: FashionMNIST.Split, count: Int) throws {
        try writeGzipped(Self.imagesIDX(count: count), to: path(split, images: true))
        try writeGzipped(Self.labelsIDX(count: count), to: path(split, images: false))
    }

    /// Writes `bytes` to `path` minus ".gz", then runs `gzip -n` on it.
    func writeGzipped(_ bytes: [UInt8], to path: String) throws {
        let plainPath = String(path.dropLast(3))
        try Data(bytes).write(to: URL(fileURLWithPath: plainPath))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        gzip.arguments = ["-f", "-n", plainPath]
        try gzip.run()
        gzip.waitUntilExit()
        guard gzip.terminationStatus == 0 else { throw FixtureError.gzipFailed(status: gzip.terminationStatus) }
    }

    func writeRaw(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    func read(_ path: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    }

    enum FixtureError: Error {
        case gzipFailed(status: Int32)
    }
}
