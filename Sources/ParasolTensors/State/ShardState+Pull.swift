import NIOCore
import ParasolWire

extension ShardState {
    /// `.denseData` for elements `[offset, offset + count)` (`count == 0`: to the end), or an
    /// error: unknown tensor, a sparse tensor, a range outside the tensor, or `unavailable` when
    /// the tensor is older than `minVersion`.
    public func pullDense(_ request: PullDense, allocator: ByteBufferAllocator) -> Message {
        do throws(ErrorReply) {
            guard case .dense(let tensor) = try lookUp(request.name) else {
                throw ShardFailure.wrongKind(request.name, is: .sparse, request: "a dense pull")
            }
            guard tensor.version >= request.minVersion else {
                throw ShardFailure.versionUnavailable(request.name, version: tensor.version, minVersion: request.minVersion)
            }
            let elements = try tensor.pullRange(offset: request.offset, count: request.count)
            return .denseData(DenseData(
                version: tensor.version, offset: request.offset, values: tensor.read(elements, allocator: allocator)))
        } catch {
            return .error(error)
        }
    }

    /// `.sparseData` with the requested rows in request order (untouched rows at their initial
    /// values), or an error as for `pullDense`, including a row id out of range.
    public func pullSparse(_ request: PullSparse, allocator: ByteBufferAllocator) -> Message {
        do throws(ErrorReply) {
            guard case .sparse(let table) = try lookUp(request.name) else {
                throw ShardFailure.wrongKind(request.name, is: .dense, request: "a sparse pull")
            }
            guard table.version >= request.minVersion else {
                throw ShardFailure.versionUnavailable(request.name, version: table.version, minVersion: request.minVersion)
            }
            try table.checkPull(rowIDs: request.rowIDs)
            return .sparseData(SparseData(
                version: table.version, rowDimension: UInt32(table.rowDimension),
                rows: table.read(rowIDs: request.rowIDs, allocator: allocator)))
        } catch {
            return .error(error)
        }
    }
}
