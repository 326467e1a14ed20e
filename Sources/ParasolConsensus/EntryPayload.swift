/// Memory that can hold a log entry's bytes. The shell's buffers conform (a received frame, a
/// command encoded for the log), so an entry refers to its bytes where they already are: a
/// 4 MiB gradient received from the primary is not copied into an array to become an entry,
/// nor copied again into each frame that replicates it.
public protocol EntryPayloadStorage: Sendable {
    /// How many bytes the entry holds.
    var entryByteCount: Int { get }
    /// Calls `body` with the entry's bytes, valid only during the call.
    func withUnsafeEntryBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: EntryPayloadStorage where Element == UInt8 {
    public var entryByteCount: Int { count }

    public func withUnsafeEntryBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(body)
    }
}

/// The opaque bytes of a log entry. The core only counts them (for byte budgets) and hands them
/// on; what stores them is up to whoever made the entry (see `EntryPayloadStorage`).
public struct EntryPayload: Sendable, Equatable, ExpressibleByArrayLiteral {
    /// The memory the bytes live in; the shell looks at its concrete type to pass a buffer on
    /// without copying it.
    public let storage: any EntryPayloadStorage
    /// Kept apart from `storage`: byte budgets ask for it on every message and proposal.
    public let count: Int

    public init(_ storage: some EntryPayloadStorage) {
        self.storage = storage
        self.count = storage.entryByteCount
    }

    public init(arrayLiteral bytes: UInt8...) {
        self.init(bytes)
    }

    public var isEmpty: Bool { count == 0 }

    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeEntryBytes(body)
    }

    /// The bytes as an array of their own (a copy unless the storage is one).
    public var bytes: [UInt8] {
        if let array = storage as? [UInt8] { return array }
        return withUnsafeBytes { [UInt8]($0) }
    }

    /// Equal when the bytes are, whatever holds them.
    public static func == (lhs: EntryPayload, rhs: EntryPayload) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { left in rhs.withUnsafeBytes { right in left.elementsEqual(right) } }
    }
}
