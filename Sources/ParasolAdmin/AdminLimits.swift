/// Bounds on what one admin client can make this node hold, so that a broken or hostile client
/// costs a bounded amount of memory and ends only its own connection.
public struct AdminLimits: Sendable, Equatable {
    /// Request line plus all header lines (HTTP/1.1), or all decoded header fields (HTTP/2).
    /// 16 KiB holds any real admin request with room for long bearer tokens.
    public var headerBytesMax: Int
    /// Header fields per request; 64 is several times what curl or a browser sends.
    public var headerCountMax: Int
    /// Request body bytes. Admin requests carry their arguments in the URL; 64 KiB leaves room
    /// for future small JSON bodies and refuses uploads.
    public var bodyBytesMax: Int
    /// HTTP/2 streams a client may have open at once on one connection (SETTINGS_MAX_CONCURRENT_STREAMS).
    public var concurrentStreamsMax: Int
    /// Bytes of response one drain of the HTTP/2 session may queue before it waits for the
    /// socket to become writable again.
    public var writeBatchBytesMax: Int

    public init(
        headerBytesMax: Int = 16 << 10, headerCountMax: Int = 64, bodyBytesMax: Int = 64 << 10,
        concurrentStreamsMax: Int = 128, writeBatchBytesMax: Int = 256 << 10
    ) {
        precondition(headerBytesMax >= 256, "headerBytesMax \(headerBytesMax) cannot hold a request line")
        precondition(headerCountMax >= 4, "headerCountMax \(headerCountMax) cannot hold Host and Authorization")
        precondition(bodyBytesMax >= 0, "bodyBytesMax must not be negative, got \(bodyBytesMax)")
        precondition(concurrentStreamsMax >= 1, "concurrentStreamsMax must be at least 1, got \(concurrentStreamsMax)")
        precondition(writeBatchBytesMax >= 16 << 10, "writeBatchBytesMax \(writeBatchBytesMax) is below one HTTP/2 frame")
        self.headerBytesMax = headerBytesMax
        self.headerCountMax = headerCountMax
        self.bodyBytesMax = bodyBytesMax
        self.concurrentStreamsMax = concurrentStreamsMax
        self.writeBatchBytesMax = writeBatchBytesMax
    }
}
