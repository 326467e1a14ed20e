import Testing
@testable import ParasolJobs

@Suite("MatrixMultiplier against a naive reference")
struct MatrixMultiplierTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let m: Int, n: Int, k: Int
        let transposeA: Bool, transposeB: Bool, accumulate: Bool
        var testDescription: String {
            "\(m)×\(k)\(transposeA ? "ᵀ" : "") · \(k)×\(n)\(transposeB ? "ᵀ" : "")\(accumulate ? " accumulate" : "")"
        }
    }

    /// Sizes around the 6×8 micro-tile and the 96/256/2048 block edges, in every layout.
    static let cases: [Case] = [
        Case(m: 1, n: 1, k: 1, transposeA: false, transposeB: false, accumulate: false),
        Case(m: 6, n: 8, k: 3, transposeA: false, transposeB: false, accumulate: false),
        Case(m: 7, n: 13, k: 5, transposeA: false, transposeB: false, accumulate: true),
        Case(m: 5, n: 9, k: 257, transposeA: true, transposeB: false, accumulate: false),
        Case(m: 97, n: 17, k: 33, transposeA: false, transposeB: true, accumulate: false),
        Case(m: 101, n: 23, k: 300, transposeA: true, transposeB: true, accumulate: true),
        Case(m: 3, n: 2_049, k: 2, transposeA: false, transposeB: false, accumulate: false),
        Case(m: 64, n: 256, k: 784, transposeA: false, transposeB: false, accumulate: true),
        Case(m: 13, n: 11, k: 0, transposeA: false, transposeB: false, accumulate: false),
    ]

    @Test(arguments: cases)
    func matchesNaiveProduct(_ shape: Case) {
        let seed = UInt64(shape.m * 1_000_003 + shape.n * 1_009 + shape.k)
        print("MatrixMultiplierTests seed \(seed)")
        var generator = SplitMix64(seed: seed)
        let a = (0..<(shape.m * shape.k)).map { _ in generator.nextStandardNormal() }
        let b = (0..<(shape.k * shape.n)).map { _ in generator.nextStandardNormal() }
        let initial = (0..<(shape.m * shape.n)).map { _ in generator.nextStandardNormal() }
        // Stored layouts: A is m×k, or k×m when read transposed; likewise B.
        func aElement(_ row: Int, _ column: Int) -> Double {
            Double(shape.transposeA ? a[column * shape.m + row] : a[row * shape.k + column])
        }
        func bElement(_ row: Int, _ column: Int) -> Double {
            Double(shape.transposeB ? b[column * shape.k + row] : b[row * shape.n + column])
        }

        var c = initial
        a.withUnsafeBufferPointer { aBuffer in
            b.withUnsafeBufferPointer { bBuffer in
                c.withUnsafeMutableBufferPointer { cBuffer in
                    let aView = shape.transposeA
                        ? MatrixView(rowMajor: aBuffer.baseAddress!, rows: shape.k, columns: shape.m).transposed
                        : MatrixView(rowMajor: aBuffer.baseAddress!, rows: shape.m, columns: shape.k)
                    let bView = shape.transposeB
                        ? MatrixView(rowMajor: bBuffer.baseAddress!, rows: shape.n, columns: shape.k).transposed
                        : MatrixView(rowMajor: bBuffer.baseAddress!, rows: shape.k, columns: shape.n)
                    MatrixMultiplier().multiply(
                        aView, bView, into: MutableMatrixView(rowMajor: cBuffer.baseAddress!, rows: shape.m, columns: shape.n),
                        accumulate: shape.accumulate
                    )
                }
            }
        }

        var worstError = 0.0
        for row in 0..<shape.m {
            for column in 0..<shape.n {
                var expected = shape.accumulate ? Double(initial[row * shape.n + column]) : 0
                for p in 0..<shape.k {
                    expected += aElement(row, p) * bElement(p, column)
                }
                let tolerance = 1e-5 * Double(max(shape.k, 1)).squareRoot() * 4
                worstError = max(worstError, abs(Double(c[row * shape.n + column]) - expected) / (1 + abs(expected)) / tolerance)
            }
        }
        #expect(worstError <= 1, "worst error is \(worstError)× the tolerance")
    }
}
