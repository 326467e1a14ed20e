import Synchronization

/// Holds the node's context once recovery has built it. The data port is bound before
/// recovery (so a busy port fails fast) but accepts nothing until the slot is filled.
final class NodeContextSlot: Sendable {
    private let context = Mutex<NodeContext?>(nil)

    func set(_ value: NodeContext) {
        context.withLock { $0 = value }
    }

    /// The context, or nil while shards are still recovering.
    var current: NodeContext? {
        context.withLock { $0 }
    }

    func get() throws -> NodeContext {
        guard let value = context.withLock({ $0 }) else { throw ServerError.shuttingDown }
        return value
    }
}
