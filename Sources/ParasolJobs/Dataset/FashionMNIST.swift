import Foundation

/// Loads Fashion-MNIST (Xiao et al., 2017): 28×28 grey-scale pictures of clothes in 10 classes,
/// 60 000 for training and 10 000 for testing, as the gzipped IDX files Zalando publishes.
public enum FashionMNIST {
    /// Where the `dataset-fashion-mnist` package installs the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    public static let classCount = 10
    /// Images are `imageSide × imageSide` pixels.
    public static let imageSide = 28
    /// Zero mean, unit variance using the training set's pixel statistics (mean 0.2860, standard
    /// deviation 0.3530 on the [0, 1] scale): fixed constants, so every worker and the evaluation
    /// normalize identically.
    public static let standardization = PixelNormalization.standardizing(mean: 0.2860, standardDeviation: 0.3530)
    /// What to do when the files are missing.
    public static let installHint = "install it with: apt-get install dataset-fashion-mnist"
    /// The largest decompressed file we accept; the training images are 47 040 016 bytes.
    static let decompressedBytesMax = 128 << 20

    public enum Split: String, Sendable, CaseIterable {
        case train
        case test

        /// The file name prefix Zalando uses for the split.
        var filePrefix: String {
            switch self {
            case .train: "train"
            case .test: "t10k"
            }
        }
    }

    /// Reads and validates one split: matching image and label counts, labels below `classCount`.
    public static func load(_ split: Split, directory: String = defaultDirectory) throws -> LabeledImages {
        let imagesPath = directory + "/" + split.filePrefix + "-images-idx3-ubyte.gz"
        let labelsPath = directory + "/" + split.filePrefix + "-labels-idx1-ubyte.gz"
        let images = try IDXFile(
            parsing: readGzipped(imagesPath), expectedMagic: IDXFile.imagesMagic, path: imagesPath
        )
        let labels = try IDXFile(
            parsing: readGzipped(labelsPath), expectedMagic: IDXFile.labelsMagic, path: labelsPath
        )
        guard images.dimensions[1] == imageSide, images.dimensions[2] == imageSide else {
            throw DatasetError.implausibleDimensions(path: imagesPath, dimensions: images.dimensions.map { UInt32($0) })
        }
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw DatasetError.countMismatch(
                imagesPath: imagesPath, images: images.dimensions[0], labelsPath: labelsPath, labels: labels.dimensions[0]
            )
        }
        let labelBytes = Array(labels.storage[labels.payloadOffset...])
        if let bad = labelBytes.firstIndex(where: { Int($0) >= classCount }) {
            throw DatasetError.labelOutOfRange(path: labelsPath, index: bad, label: labelBytes[bad], classCount: classCount)
        }
        return LabeledImages(
            rows: images.dimensions[1], columns: images.dimensions[2],
            pixels: Array(images.storage[images.payloadOffset...]), labels: labelBytes
        )
    }

    /// The decompressed bytes of a gzip file, with errors that name it.
    static func readGzipped(_ path: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DatasetError.fileMissing(path: path, hint: installHint)
        }
        let compressed: Data
        do {
            compressed = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DatasetError.unreadable(path: path, reason: "\(error)")
        }
        return try compressed.withUnsafeBytes { buffer in
            do throws(GunzipFailure) {
                return try Gunzip.decompress(buffer, maximumOutputBytes: decompressedBytesMax)
            } catch {
                throw DatasetError(error, path: path)
            }
        }
    }
}
