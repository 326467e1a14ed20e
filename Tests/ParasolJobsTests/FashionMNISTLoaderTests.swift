import Foundation
import Testing
@testable import ParasolJobs

@Suite("Fashion-MNIST loader: gzip + IDX parsing and validation")
struct FashionMNISTLoaderTests {
    @Test func loadsImagesAndLabelsOfAValidSplit() throws {
        let fixture = try DatasetFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(.test, count: 5)

        let split = try FashionMNIST.load(.test, directory: fixture.directory)

        #expect(split.count == 5)
        #expect(split.rows == 28 && split.columns == 28)
        #expect(split.labels == [0, 1, 2, 3, 4])
        let pixels = UnsafeMutablePointer<Float>.allocate(capacity: 2 * 784)
        let labels = UnsafeMutablePointer<Int32>.allocate(capacity: 2)
        defer { pixels.deallocate(); labels.deallocate() }
        split.gather([3, 1], pixels: pixels, labels: labels)
        func scaled(_ image: Int) -> Float { Float(DatasetFixture.pixelValue(image)) / 255 }
        #expect(abs(pixels[0] - scaled(3)) < 1e-6 && abs(pixels[783] - scaled(3)) < 1e-6)
        #expect(abs(pixels[784] - scaled(1)) < 1e-6)
        #expect(labels[0] == 3 && labels[1] == 1)

        split.gather([2], pixels: pixels, labels: labels, normalization: FashionMNIST.standardization)
        let standardized = (scaled(2) - 0.2860) / 0.3530
        #expect(abs(pixels[0] - standardized) < 1e-5 && abs(pixels[783] - standardized) < 1e-5)
    }

    @Test func sharesAreDisjointAndCoverTheSet() throws {
        let fixture = try DatasetFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(.train, count: 23)
        let split = try FashionMNIST.load(.train, directory: fixture.directory)

        let shares = (0..<3).map { split.share(rank: $0, workers: 3) }

        #expect(shares.map(\.count) == [7, 8, 8])
        #expect(shares.flatMap(\.labels) == split.labels)
        #expect(split.prefix(4).labels == [0, 1, 2, 3])
        #expect(split.prefix(100).count == 23)
    }

    @Test func missingFileNamesThePathAndTheInstallHint() throws {
        let fixture = try DatasetFixture()
        defer { fixture.remove() }

        #expect(throws: DatasetError.fileMissing(path: fixture.path(.train, images: true), hint: FashionMNIST.installHint)) {
            try FashionMNIST.load(.train, directory: fixture.directory)
        }
        #expect(FashionMNIST.installHint.contains("apt-get install dataset-fashion-mnist"))
    }

    @Test func badMagicIsReportedWithBothValues() throws {
        let fixture = try DatasetFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(.test, count: 2)
        let imagesPath = fixture.path(.test, images: true)
        try fixture.writeGzipped(DatasetFixture.imagesIDX(count: 2, magic: 0x0000_0801), to: imagesPath)

        #expect(throws: DatasetError.badMagic(path: imagesPath, expected: 0x0000_0803, found: 0x0000_0801)) {
            try FashionMNIST.load(.test, directory: fixture.directory)
        }
    }

    @Test func payloadShorterThanItsDimensionsIsTruncated() throws {
        let fixture = try DatasetFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(.test, count: 3)
        let imagesPath = fixture.path(.test, images: true)
        let shortened = Array(DatasetFixture.imagesIDX(count: 3).dropLast(100))
        try fixture.writeGzipped(shortened, to: imagesPath)

        #expect(throws: DatasetError.truncated(path: imagesPath, expectedBytes: 16 + 3 * 784, actualBytes: 16 + 3 * 784 - 100)) {
            try FashionMNIST.load(.test, directory: fixture.directory)
        }
    }

    @Test func headerShorterThanItsRankIsTruncated() throws {
        let fixture = try DatasetFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(.test, count: 1)
        let labelsPath = fixture.path(.test, images: false)
        try fixture.writeGzipped(DatasetFixture.bigEndian(IDXFile.labelsMagic) + [0, 0], to: labelsPath)

        #expect(throws: DatasetError.truncated(path: labelsPath, expectedBytes: 8, actualBytes: 6)) {
            try FashionMNIST.load(.test, directory: fixture.directory)
        }
    }

    @Test func extraBytesAfterThePayloadAreRejected() throws {
        let fixture = try DatasetFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(.test, count: 2)
        let labelsPath = fixture.path(.test, images: false)
        try fixture.writeGzipped(DatasetFixture.labelsIDX(count: 2) + [9], to: labelsPath)

        #expect(throws: DatasetError.trailingBytes(path: labelsPath, expectedBytes: 10, actualBytes: 11)) {
            try FashionMNIST.load(.test, directory: fixture.directory)
        }
    }

    @Test func cutGzipStreamIsTruncatedGzip() throws {
        let fixture = try DatasetFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(.test, count: 4)
        let imagesPath = fixture.path(.test, images: true)
        let compressed = try fixture.read(imagesPath)
        try fixture.writeRaw(Array(compressed.prefix(compressed.count / 2)), to: imagesPath)

        #expect(throws: DatasetError.truncatedGzip(path: imagesPath)) {
            try FashionMNIST.load(.test, directory: fixture.directory)
        }
    }

    @Test func flippedByteFailsTheGzipCheck() throws {
        let fixture = try DatasetFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(.test, count: 4)
        let labelsPath = fixture.path(.test, images: false)
        var compressed = try fixture.read(labelsPath)
        compressed[compressed.count - 6] ^= 0xFF

        try fixture.writeRaw(compressed, to: labelsPath)

        let error = try #require(throws: DatasetError.self) { try FashionMNIST.load(.test, directory: fixture.directory) }
        guard case .corruptGzip(labelsPath, _) = error else {
            Issue.record("expected corruptGzip for \(labelsPath), got \(error)")
            return
        }
    }

    @Test func plainFileIsNotGzip() throws {
        let fixture = try DatasetFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(.test, count: 1)
        let imagesPath = fixture.path(.test, images: true)
        try fixture.writeRaw(DatasetFixture.imagesIDX(count: 1), to: imagesPath)

        #expect(throws: DatasetError.notGzip(path: imagesPath)) {
            try FashionMNIST.load(.test, directory: fixture.directory)
        }
    }

    @Test func imageAndLabelCountsMustMatch() throws {
        let fixture = try DatasetFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(.test, count: 3)
        try fixture.writeGzipped(DatasetFixture.labelsIDX(count: 2), to: fixture.path(.test, images: false))

        #expect(
            throws: DatasetError.countMismatch(
                imagesPath: fixture.path(.test, images: true), images: 3,
                labelsPath: fixture.path(.test, images: false), labels: 2
            )
        ) {
            try FashionMNIST.load(.test, directory: fixture.directory)
        }
    }

    @Test func labelsMustBeBelowTheClassCount() throws {
        let fixture = try DatasetFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(.test, count: 2)
        let labelsPath = fixture.path(.test, images: false)
        try fixture.writeGzipped(DatasetFixture.bigEndian(IDXFile.labelsMagic) + DatasetFixture.bigEndian(2) + [1, 10], to: labelsPath)

        #expect(throws: DatasetError.labelOutOfRange(path: labelsPath, index: 1, label: 10, classCount: 10)) {
            try FashionMNIST.load(.test, directory: fixture.directory)
        }
    }

    @Test func imagesMustBe28By28() throws {
        let fixture = try DatasetFixture()
        defer { fixture.remove() }
        try fixture.writeSplit(.test, count: 2)
        let imagesPath = fixture.path(.test, images: true)
        try fixture.writeGzipped(DatasetFixture.imagesIDX(count: 2, side: 27), to: imagesPath)

        #expect(throws: DatasetError.implausibleDimensions(path: imagesPath, dimensions: [2, 27, 27])) {
            try FashionMNIST.load(.test, directory: fixture.directory)
        }
    }
}

@Suite("Gunzip")
struct GunzipTests {
    @Test func concatenatedMembersDecompressToTheirConcatenation() throws {
        let fixture = try DatasetFixture()
        defer { fixture.remove() }
        let first = fixture.directory + "/first.gz"
        let second = fixture.directory + "/second.gz"
        try fixture.writeGzipped(Array("hello, ".utf8), to: first)
        try fixture.writeGzipped(Array("world".utf8), to: second)
        let joined = try fixture.read(first) + fixture.read(second)

        let output = try joined.withUnsafeBytes { try Gunzip.decompress($0, maximumOutputBytes: 1 << 20) }

        #expect(String(decoding: output, as: UTF8.self) == "hello, world")
    }

    @Test func outputBeyondTheLimitIsRefused() throws {
        let fixture = try DatasetFixture()
        defer { fixture.remove() }
        let path = fixture.directory + "/zeros.gz"
        try fixture.writeGzipped([UInt8](repeating: 0, count: 100_000), to: path)
        let compressed = try fixture.read(path)

        #expect(throws: GunzipFailure.outputTooLarge(limitBytes: 65_536)) {
            try compressed.withUnsafeBytes { try Gunzip.decompress($0, maximumOutputBytes: 65_536) }
        }
        let exact = try compressed.withUnsafeBytes { try Gunzip.decompress($0, maximumOutputBytes: 100_000) }
        #expect(exact.count == 100_000)
    }
}
