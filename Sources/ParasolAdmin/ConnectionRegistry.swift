import NIOCore
import Synchronization

/// The admin connections that are open, so that a graceful shutdown can reach each of them.
///
/// Channels register from their event loops and the shutdown runs elsewhere, hence the mutex.
final class ConnectionRegistry: Sendable {
    private struct State {
        var accepting = true
        var channels: [ObjectIdentifier: any Channel] = [:]
    }

    private let state = Mutex(State())

    /// Adds `channel`; false once shutdown began, and the caller closes the channel.
    func register(_ channel: any Channel, limit: Int) -> Bool {
        state.withLock { state in
            guard state.accepting, state.channels.count < limit else { return false }
            state.channels[ObjectIdentifier(channel)] = channel
            return true
        }
    }

    func unregister(_ channel: any Channel) {
        _ = state.withLock { $0.channels.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Stops registering new channels and returns the open ones.
    func stopAccepting() -> [any Channel] {
        state.withLock { state in
            state.accepting = false
            return Array(state.channels.values)
        }
    }
}
