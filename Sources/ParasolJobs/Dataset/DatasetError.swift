/// A dataset file is missing or not what it claims to be. Every case names the file so that the
/// message alone tells an operator what to fix.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    case fileMissing(path: String, hint: String)
    case unreadable(path: String, reason: String)
    case notGzip(path: String)
    case corruptGzip(path: String, detail: String)
    case truncatedGzip(path: String)
    case decompressedTooLarge(path: String, limitBytes: Int)
    /// The IDX magic number (data type and dimension count) is not the expected one.
    case badMagic(path: String, expected: UInt32, found: UInt32)
    /// The file ends before the header or the data its dimensions promise.
    case truncated(path: String, expectedBytes: Int, actualBytes: Int)
    /// The file holds more bytes than its dimensions account for.
    case trailingBytes(path: String, expectedBytes: Int, actualBytes: Int)
    /// The dimensions overflow when multiplied, or are not the ones the dataset defines.
    case implausibleDimensions(path: String, dimensions: [UInt32])
    case countMismatch(imagesPath: String, images: Int, labelsPath: String, labels: Int)
    case labelOutOfRange(path: String, index: Int, label: UInt8, classCount: Int)

    public var description: String {
        switch self {
        case let .fileMissing(path, hint):
            "dataset file \(path) does not exist (\(hint))"
        case let .unreadable(path, reason):
            "dataset file \(path) cannot be read: \(reason)"
        case let .notGzip(path):
            "dataset file \(path) is not gzip data (no 1f 8b magic)"
        case let .corruptGzip(path, detail):
            "dataset file \(path) is corrupt gzip data: \(detail)"
        case let .truncatedGzip(path):
            "dataset file \(path) is truncated: the gzip stream ends early"
        case let .decompressedTooLarge(path, limitBytes):
            "dataset file \(path) decompresses to more than \(limitBytes) bytes"
        case let .badMagic(path, expected, found):
            "dataset file \(path) has IDX magic 0x\(hex(found)), expected 0x\(hex(expected))"
        case let .truncated(path, expectedBytes, actualBytes):
            "dataset file \(path) is truncated: \(actualBytes) bytes, expected \(expectedBytes)"
        case let .trailingBytes(path, expectedBytes, actualBytes):
            "dataset file \(path) has \(actualBytes - expectedBytes) unexpected bytes after \(expectedBytes) bytes of data"
        case let .implausibleDimensions(path, dimensions):
            "dataset file \(path) declares implausible dimensions \(dimensions)"
        case let .countMismatch(imagesPath, images, labelsPath, labels):
            "\(imagesPath) holds \(images) images but \(labelsPath) holds \(labels) labels"
        case let .labelOutOfRange(path, index, label, classCount):
            "dataset file \(path): label \(label) at index \(index) is not below the class count \(classCount)"
        }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}

extension DatasetError {
    /// Names the file a gzip failure happened in.
    init(_ failure: GunzipFailure, path: String) {
        switch failure {
        case .notGzip: self = .notGzip(path: path)
        case .corrupt(let detail): self = .corruptGzip(path: path, detail: detail)
        case .truncated: self = .truncatedGzip(path: path)
        case .outputTooLarge(let limit): self = .decompressedTooLarge(path: path, limitBytes: limit)
        }
    }
}
