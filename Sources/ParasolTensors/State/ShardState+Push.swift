import NIOCore
import ParasolWire

extension ShardState {
    /// Applies a dense gradient unless the push is a duplicate. Order of checks: the tensor
    /// must exist and be dense; a duplicate is then answered with the current version (its
    /// floor still taken); only a new push is checked for shape and capacity and applied.
    func pushDense(_ push: PushDense) throws(ErrorReply) -> PushAck {
        guard case .dense(let tensor) = try lookUp(push.name) else {
            throw ShardFailure.wrongKind(push.name, is: .sparse, request: "a dense push")
        }
        if let duplicate = duplicateAck(push.id, version: tensor.version) { return duplicate }
        let elements = try tensor.pushRange(offset: push.offset, gradientBytes: push.gradient.readableBytes)
        try exactlyOnce.checkCapacity(for: push.id)
        let version = tensor.applyPush(gradient: push.gradient, elements: elements)
        exactlyOnce.recordApplied(push.id, index: appliedIndex)
        return PushAck(version: version, duplicate: false)
    }

    /// Applies sparse gradients row by row unless the push is a duplicate (checks as for dense).
    func pushSparse(_ push: PushSparse) throws(ErrorReply) -> PushAck {
        guard case .sparse(let table) = try lookUp(push.name) else {
            throw ShardFailure.wrongKind(push.name, is: .dense, request: "a sparse push")
        }
        if let duplicate = duplicateAck(push.id, version: table.version) { return duplicate }
        try table.checkPush(rowIDs: push.rowIDs, gradientBytes: push.gradients.readableBytes)
        try exactlyOnce.checkCapacity(for: push.id)
        let version = table.applyPush(rowIDs: push.rowIDs, gradients: push.gradients)
        exactlyOnce.recordApplied(push.id, index: appliedIndex)
        return PushAck(version: version, duplicate: false)
    }

    private func duplicateAck(_ id: PushID, version: UInt64) -> PushAck? {
        guard exactlyOnce.isDuplicate(id) else { return nil }
        exactlyOnce.acknowledge(id, index: appliedIndex)
        return PushAck(version: version, duplicate: true)
    }
}
