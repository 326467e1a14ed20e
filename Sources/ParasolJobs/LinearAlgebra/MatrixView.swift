/// A read-only view of a matrix in memory: element (row, column) sits at
/// `base[row * rowStride + column * columnStride]`.
///
/// Strides let the multiplier read a matrix or its transpose without a copy, which is all the
/// MLP's backward pass needs (`Xᵀ·δ`, `δ·Wᵀ`).
struct MatrixView {
    let base: UnsafePointer<Float>
    let rows: Int
    let columns: Int
    let rowStride: Int
    let columnStride: Int

    /// A row-major matrix: rows are `columns` floats apart.
    init(rowMajor base: UnsafePointer<Float>, rows: Int, columns: Int) {
        self.init(base: base, rows: rows, columns: columns, rowStride: columns, columnStride: 1)
    }

    private init(base: UnsafePointer<Float>, rows: Int, columns: Int, rowStride: Int, columnStride: Int) {
        self.base = base
        self.rows = rows
        self.columns = columns
        self.rowStride = rowStride
        self.columnStride = columnStride
    }

    /// The transpose, reading the same memory.
    var transposed: MatrixView {
        MatrixView(base: base, rows: columns, columns: rows, rowStride: columnStride, columnStride: rowStride)
    }

    @inline(__always)
    func pointer(row: Int, column: Int) -> UnsafePointer<Float> {
        base + row * rowStride + column * columnStride
    }
}

/// A row-major matrix the multiplier writes into; rows are `rowStride ≥ columns` floats apart.
struct MutableMatrixView {
    let base: UnsafeMutablePointer<Float>
    let rows: Int
    let columns: Int
    let rowStride: Int

    init(rowMajor base: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        self.base = base
        self.rows = rows
        self.columns = columns
        rowStride = columns
    }
}
