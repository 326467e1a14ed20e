import NIOCore

/// The result of `SnapshotStore.loadLatest`: the newest snapshot that verified, and every newer
/// one that did not, so the caller can log why it is starting from an older state.
public struct LoadedSnapshot: Sendable {
    /// The newest good snapshot and its decompressed content, or nil when none verified.
    public var snapshot: (info: SnapshotInfo, content: ByteBuffer)?
    /// The snapshots tried before it and rejected, newest first.
    public var rejected: [SnapshotRejection]
}

/// A snapshot `loadLatest` skipped, and why.
public struct SnapshotRejection: Sendable, CustomStringConvertible {
    /// The index in the rejected snapshot's file name.
    public var index: UInt64
    /// What was wrong; its message names the file.
    public var error: SnapshotError

    public var description: String {
        "snapshot at index \(index) rejected: \(error)"
    }
}
