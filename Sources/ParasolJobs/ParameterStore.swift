import ParasolWire

/// What a training job needs from wherever its parameters live (the Parasol cluster, via ParasolClient).
///
/// The jobs are written against this protocol rather than the client so that they can be unit-tested
/// against an in-memory store and so that the model code never sees connections, retries or shards.
/// A push carries a *gradient*: the store (the server) owns the optimizer that turns it into an update.
public protocol ParameterStore: Sendable {
    /// Creates a tensor; jobs pass `ifNotExists: true` so that every worker may create the same model.
    func createTensor(_ definition: CreateTensor) async throws
    /// Sends a gradient for a whole dense tensor; returns once the store has applied it.
    func pushDense(_ name: String, gradient: [Float]) async throws
    /// Reads a whole dense tensor.
    func pullDense(_ name: String) async throws -> [Float]
    /// Sends `rowIDs.count × rowDimension` gradients, row after row, for rows of a sparse table.
    func pushSparse(_ name: String, rowIDs: [UInt64], gradients: [Float]) async throws
    /// Reads rows of a sparse table in request order, `rowIDs.count × rowDimension` values.
    func pullSparse(_ name: String, rowIDs: [UInt64]) async throws -> [Float]
}
