import Foundation

/// The element-wise steps of an MLP's forward and backward pass, eight floats at a time.
enum VectorKernels {
    typealias Lanes = SIMD8<Float>
    static let laneCount = Lanes.scalarCount

    /// Copies `row` (`width` floats) into each of `rows` rows of `matrix`: the bias term that a
    /// GEMM then accumulates `X·W` onto.
    static func broadcast(row: UnsafePointer<Float>, into matrix: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        for index in 0..<rows {
            (matrix + index * width).update(from: row, count: width)
        }
    }

    /// `values = max(values, 0)`.
    static func rectifyInPlace(_ values: UnsafeMutablePointer<Float>, count: Int) {
        let vectorEnd = count - count % laneCount
        let raw = UnsafeMutableRawPointer(values)
        for start in stride(from: 0, to: vectorEnd, by: laneCount) {
            let offset = start * MemoryLayout<Float>.stride
            let lanes = raw.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
            raw.storeBytes(of: pointwiseMax(lanes, Lanes()), toByteOffset: offset, as: Lanes.self)
        }
        for index in vectorEnd..<count {
            values[index] = max(values[index], 0)
        }
    }

    /// Zeroes `gradient` wherever the ReLU output `activations` is zero: ReLU's backward step.
    static func maskInactive(_ gradient: UnsafeMutablePointer<Float>, activations: UnsafePointer<Float>, count: Int) {
        let vectorEnd = count - count % laneCount
        let raw = UnsafeMutableRawPointer(gradient)
        let activationsRaw = UnsafeRawPointer(activations)
        for start in stride(from: 0, to: vectorEnd, by: laneCount) {
            let offset = start * MemoryLayout<Float>.stride
            let active = activationsRaw.loadUnaligned(fromByteOffset: offset, as: Lanes.self) .> 0
            let lanes = raw.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
            raw.storeBytes(of: Lanes().replacing(with: lanes, where: active), toByteOffset: offset, as: Lanes.self)
        }
        for index in vectorEnd..<count where activations[index] <= 0 {
            gradient[index] = 0
        }
    }

    /// `sums[j] = Σᵢ matrix[i][j]`: the bias gradient from a layer's deltas.
    static func columnSums(of matrix: UnsafePointer<Float>, rows: Int, width: Int, into sums: UnsafeMutablePointer<Float>) {
        sums.update(repeating: 0, count: width)
        let vectorEnd = width - width % laneCount
        let sumsRaw = UnsafeMutableRawPointer(sums)
        for index in 0..<rows {
            let row = matrix + index * width
            let rowRaw = UnsafeRawPointer(row)
            for start in stride(from: 0, to: vectorEnd, by: laneCount) {
                let offset = start * MemoryLayout<Float>.stride
                let sum = sumsRaw.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
                    + rowRaw.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
                sumsRaw.storeBytes(of: sum, toByteOffset: offset, as: Lanes.self)
            }
            for column in vectorEnd..<width {
                sums[column] += row[column]
            }
        }
    }

    /// Softmax cross-entropy of each row of `logits` (`rows × classes`) against `labels`.
    ///
    /// Returns the summed loss. When `gradient` is given it receives
    /// `gradientScale · (softmax(logits) − onehot(label))`, the loss's derivative with respect to
    /// the logits (scaled by 1/batch for a mean loss). Subtracting each row's maximum keeps `exp`
    /// finite for any logits.
    static func softmaxCrossEntropy(
        logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, classes: Int,
        gradient: UnsafeMutablePointer<Float>?, gradientScale: Float
    ) -> Double {
        var lossSum = 0.0
        for index in 0..<rows {
            let row = logits + index * classes
            let label = Int(labels[index])
            precondition((0..<classes).contains(label), "label \(label) is not below the class count \(classes)")
            var largest = row[0]
            for column in 1..<classes {
                largest = max(largest, row[column])
            }
            var exponentSum: Float = 0
            for column in 0..<classes {
                exponentSum += exp(row[column] - largest)
            }
            lossSum += Double(log(exponentSum) + largest - row[label])
            guard let gradient else { continue }
            let gradientRow = gradient + index * classes
            let scale = gradientScale / exponentSum
            for column in 0..<classes {
                gradientRow[column] = exp(row[column] - largest) * scale
            }
            gradientRow[label] -= gradientScale
        }
        return lossSum
    }

    /// Index of each row's largest logit.
    static func argmax(of row: UnsafePointer<Float>, classes: Int) -> Int {
        var best = 0
        for column in 1..<classes where row[column] > row[best] {
            best = column
        }
        return best
    }
}
