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
    /// A connection that sends nothing for this long is closed, so a client that opens a socket
    /// (or stops halfway through a request) cannot hold it forever. 30 s is twice Prometheus'
    /// default scrape interval, so a scraper's kept-alive connection survives between scrapes.
    public var idleTimeoutSeconds: Int
    /// Admin connections open at once; more are closed at accept. Operators and scrapers need
    /// a handful; the cap keeps a flood of idle sockets from costing unbounded memory.
    public var connectionsMax: Int

    public init(
        headerBytesMax: Int = 16 << 10, headerCountMax: Int = 64, bodyBytesMax: Int = 64 << 10,
        concurrentStreamsMax: Int = 128, writeBatchBytesMax: Int = 256 << 10, idleTimeoutSeconds: Int = 30,
        connectionsMax: Int = 256
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
        precondition(idleTimeoutSeconds >= 1, "idleTimeoutSeconds must be at least 1, got \(idleTimeoutSeconds)")
        precondition(connectionsMax >= 1, "connectionsMax must be at least 1, got \(connectionsMax)")
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.connectionsMax = connectionsMax
    }
}
