import ParasolClient
import ParasolWire

/// The cluster is where jobs keep their parameters: the client already routes, chunks, numbers
/// and retries each call, so the conformance only adapts signatures.
extension ParasolClient: ParameterStore {
    public func createTensor(_ definition: CreateTensor) async throws {
        let _: TensorCreated = try await createTensor(definition)
    }

    public func pushDense(_ name: String, gradient: [Float]) async throws {
        let _: UInt64 = try await pushDense(name, gradient: gradient, offset: 0)
    }

    public func pullDense(_ name: String) async throws -> [Float] {
        try await pullDense(name, offset: 0, count: nil)
    }

    public func pushSparse(_ name: String, rowIDs: [UInt64], gradients: [Float]) async throws {
        let _: UInt64 = try await pushSparse(name, rowIDs: rowIDs, gradients: gradients)
    }
}
