/// Single-precision GEMM, `C = A·B` or `C += A·B`, fast enough to train an MLP on one core.
///
/// The Goto/BLIS scheme: B is copied in blocks of `depthBlock × columnBlock` into strips eight
/// columns wide, A in blocks of `rowBlock × depthBlock` into strips six rows high, and a 6×8
/// micro-kernel keeps a 6×8 tile of C in twelve SSE registers (`SIMD8<Float>` is two of them on
/// the baseline x86-64 target Swift compiles for) while it streams one A strip and one B strip
/// from L1/L2. Packing also absorbs strides, so transposed operands cost nothing extra.
///
/// The packing buffers are allocated once per multiplier and reused: fresh memory is slow to
/// touch on our VMs. A multiplier is not thread-safe; give each task its own.
final class MatrixMultiplier {
    static let microRows = 6
    static let microColumns = 8
    /// kc: one packed B strip (256 × 8 floats = 8 KiB) stays in L1 across a row block.
    static let depthBlock = 256
    /// mc: one packed A block (96 × 256 floats = 96 KiB) stays in L2.
    static let rowBlock = 96
    /// nc: one packed B block (256 × 2048 floats = 2 MiB) stays in L3.
    static let columnBlock = 2048

    private let packedA: UnsafeMutablePointer<Float>
    private let packedB: UnsafeMutablePointer<Float>

    init() {
        packedA = MatrixMultiplier.allocate(floats: Self.rowBlock * Self.depthBlock)
        packedB = MatrixMultiplier.allocate(floats: Self.depthBlock * Self.columnBlock)
    }

    deinit {
        UnsafeMutableRawPointer(packedA).deallocate()
        UnsafeMutableRawPointer(packedB).deallocate()
    }

    /// `c = a·b`, or `c += a·b` when `accumulate` is true.
    func multiply(_ a: MatrixView, _ b: MatrixView, into c: MutableMatrixView, accumulate: Bool) {
        precondition(a.columns == b.rows, "inner dimensions differ: A is \(a.rows)×\(a.columns), B is \(b.rows)×\(b.columns)")
        precondition(c.rows == a.rows && c.columns == b.columns, "C is \(c.rows)×\(c.columns), A·B is \(a.rows)×\(b.columns)")
        precondition(c.rowStride >= c.columns, "C's row stride \(c.rowStride) is below its width \(c.columns)")
        if a.columns == 0 && !accumulate {
            for row in 0..<c.rows {
                (c.base + row * c.rowStride).initialize(repeating: 0, count: c.columns)
            }
        }
        for columnStart in stride(from: 0, to: b.columns, by: Self.columnBlock) {
            let columnCount = min(Self.columnBlock, b.columns - columnStart)
            for depthStart in stride(from: 0, to: a.columns, by: Self.depthBlock) {
                let depth = min(Self.depthBlock, a.columns - depthStart)
                packB(b, depthStart: depthStart, depth: depth, columnStart: columnStart, columnCount: columnCount)
                for rowStart in stride(from: 0, to: a.rows, by: Self.rowBlock) {
                    let rowCount = min(Self.rowBlock, a.rows - rowStart)
                    packA(a, rowStart: rowStart, rowCount: rowCount, depthStart: depthStart, depth: depth)
                    multiplyPackedBlocks(
                        depth: depth, rowCount: rowCount, columnCount: columnCount,
                        into: c.base + rowStart * c.rowStride + columnStart, rowStride: c.rowStride,
                        accumulate: accumulate || depthStart > 0
                    )
                }
            }
        }
    }

    private func multiplyPackedBlocks(
        depth: Int, rowCount: Int, columnCount: Int, into c: UnsafeMutablePointer<Float>, rowStride: Int, accumulate: Bool
    ) {
        let mr = Self.microRows
        let nr = Self.microColumns
        for columnStrip in 0..<(columnCount + nr - 1) / nr {
            let b = UnsafePointer(packedB + columnStrip * depth * nr)
            let columns = min(nr, columnCount - columnStrip * nr)
            for rowStrip in 0..<(rowCount + mr - 1) / mr {
                MatrixMultiplier.microKernel(
                    depth: depth, a: UnsafePointer(packedA + rowStrip * depth * mr), b: b,
                    c: c + rowStrip * mr * rowStride + columnStrip * nr, rowStride: rowStride,
                    rows: min(mr, rowCount - rowStrip * mr), columns: columns, accumulate: accumulate
                )
            }
        }
    }

    /// Copies A's block into strips of `microRows` rows, each laid out depth-major
    /// (`microRows` floats per depth step), zero-padding the last strip.
    private func packA(_ a: MatrixView, rowStart: Int, rowCount: Int, depthStart: Int, depth: Int) {
        let mr = Self.microRows
        var destination = packedA
        for stripStart in stride(from: rowStart, to: rowStart + rowCount, by: mr) {
            let rows = min(mr, rowStart + rowCount - stripStart)
            if rows == mr && a.columnStride == 1 {
                let r0 = a.pointer(row: stripStart, column: depthStart)
                let r1 = r0 + a.rowStride, r2 = r1 + a.rowStride, r3 = r2 + a.rowStride
                let r4 = r3 + a.rowStride, r5 = r4 + a.rowStride
                for p in 0..<depth {
                    destination[0] = r0[p]
                    destination[1] = r1[p]
                    destination[2] = r2[p]
                    destination[3] = r3[p]
                    destination[4] = r4[p]
                    destination[5] = r5[p]
                    destination += mr
                }
            } else {
                for p in 0..<depth {
                    let source = a.pointer(row: stripStart, column: depthStart + p)
                    for row in 0..<rows {
                        destination[row] = source[row * a.rowStride]
                    }
                    for row in rows..<mr {
                        destination[row] = 0
                    }
                    destination += mr
                }
            }
        }
    }

    /// Copies B's block into strips of `microColumns` columns, each laid out depth-major
    /// (`microColumns` floats per depth step), zero-padding the last strip.
    private func packB(_ b: MatrixView, depthStart: Int, depth: Int, columnStart: Int, columnCount: Int) {
        let nr = Self.microColumns
        var destination = packedB
        for stripStart in stride(from: columnStart, to: columnStart + columnCount, by: nr) {
            let columns = min(nr, columnStart + columnCount - stripStart)
            if columns == nr && b.columnStride == 1 {
                var source = b.pointer(row: depthStart, column: stripStart)
                for _ in 0..<depth {
                    UnsafeMutableRawPointer(destination).storeBytes(
                        of: UnsafeRawPointer(source).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self
                    )
                    source += b.rowStride
                    destination += nr
                }
            } else {
                for p in 0..<depth {
                    let source = b.pointer(row: depthStart + p, column: stripStart)
                    for column in 0..<columns {
                        destination[column] = source[column * b.columnStride]
                    }
                    for column in columns..<nr {
                        destination[column] = 0
                    }
                    destination += nr
                }
            }
        }
    }

    /// Multiplies one packed A strip by one packed B strip into a `rows × columns` (≤ 6×8) tile of C.
    @inline(__always)
    private static func microKernel(
        depth: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
        rowStride: Int, rows: Int, columns: Int, accumulate: Bool
    ) {
        var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>()
        var c3 = SIMD8<Float>(), c4 = SIMD8<Float>(), c5 = SIMD8<Float>()
        var aNext = a
        var bNext = UnsafeRawPointer(b)
        for _ in 0..<depth {
            let bRow = bNext.loadUnaligned(as: SIMD8<Float>.self)
            c0 += SIMD8(repeating: aNext[0]) * bRow
            c1 += SIMD8(repeating: aNext[1]) * bRow
            c2 += SIMD8(repeating: aNext[2]) * bRow
            c3 += SIMD8(repeating: aNext[3]) * bRow
            c4 += SIMD8(repeating: aNext[4]) * bRow
            c5 += SIMD8(repeating: aNext[5]) * bRow
            aNext += microRows
            bNext += microColumns * MemoryLayout<Float>.stride
        }
        if rows == microRows && columns == microColumns {
            store(c0, to: c, accumulate: accumulate)
            store(c1, to: c + rowStride, accumulate: accumulate)
            store(c2, to: c + 2 * rowStride, accumulate: accumulate)
            store(c3, to: c + 3 * rowStride, accumulate: accumulate)
            store(c4, to: c + 4 * rowStride, accumulate: accumulate)
            store(c5, to: c + 5 * rowStride, accumulate: accumulate)
        } else {
            var tile = (c0, c1, c2, c3, c4, c5)
            withUnsafeBytes(of: &tile) { raw in
                for row in 0..<rows {
                    let destination = c + row * rowStride
                    for column in 0..<columns {
                        let offset = (row * microColumns + column) * MemoryLayout<Float>.stride
                        let value = raw.load(fromByteOffset: offset, as: Float.self)
                        destination[column] = accumulate ? destination[column] + value : value
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func store(_ values: SIMD8<Float>, to destination: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let raw = UnsafeMutableRawPointer(destination)
        let sum = accumulate ? raw.loadUnaligned(as: SIMD8<Float>.self) + values : values
        raw.storeBytes(of: sum, as: SIMD8<Float>.self)
    }

    private static func allocate(floats: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer
            .allocate(byteCount: floats * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: floats)
    }
}
