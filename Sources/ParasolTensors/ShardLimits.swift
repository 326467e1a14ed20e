/// The bounds a shard enforces on what commands may create, and a snapshot decoder enforces on
/// what a snapshot may claim.
///
/// Both sides use these same numbers on purpose: a state that `apply` accepted always fits a
/// snapshot that `decodeSnapshot` accepts, and a damaged snapshot can never make the decoder
/// allocate more than a legitimate state could hold.
public enum ShardLimits {
    /// Longest tensor name, in UTF-8 bytes.
    public static let tensorNameBytesMax = 1024
    /// Most tensors (dense and sparse together) one shard holds.
    public static let tensorsMax = 1 << 16
    /// Most dimensions of a dense tensor's shape.
    public static let rankMax = 8
    /// Most float32 weights one tensor holds: a dense tensor's size, or a sparse table's
    /// materialized rows × row dimension (1 GiB of weights; optimizer slots come on top).
    public static let tensorElementsMax = 1 << 28
    /// Most distinct client ids the exactly-once table remembers.
    public static let clientsMax = 1 << 20
    /// Most applied sequence numbers kept per client at or above its `acknowledgedBelow` floor.
    /// A client whose floor lags this far behind its newest push is refused until it advances.
    public static let clientWindowMax = 1 << 16
    /// A client with no push (applied or duplicate) in this many log entries is forgotten: its
    /// session expired. Counted in entries, not seconds, so every replica drops the same client
    /// at the same entry. 2²⁴ entries is minutes even at 100k pushes/s, far longer than any
    /// client retries one push (its call deadline).
    public static let sessionExpiryEntries: UInt64 = 1 << 24
    /// Expired sessions are swept whenever the applied index crosses a multiple of this.
    public static let sessionSweepEntries: UInt64 = 1 << 16
    /// Largest pull reply payload built in one piece (rows × dimension × 4 or count × 4).
    public static let pullBytesMax = 1 << 30
}
