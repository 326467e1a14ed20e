import CNghttp2
import NIOCore

/// One nghttp2 server session: frames in, requests out; responses in, frames out.
///
/// It never touches a channel: `receive` feeds bytes to `nghttp2_session_mem_recv`, whose
/// callbacks only record what happened in `events`, and `drain` pulls frames from
/// `nghttp2_session_mem_send`. The connection handler decides when to read, write and close,
/// so no write ever happens inside an nghttp2 callback.
///
/// nghttp2 holds an unretained pointer to this object as user data; the nghttp2 session is
/// deleted in `deinit`, so no callback can outlive the object it points to.
final class HTTP2ServerSession {
    /// What the handler must act on after a `receive`.
    enum Event: Equatable {
        /// A complete request on `streamID`, to be answered with `submit(_:on:)`.
        case request(streamID: Int32, AdminRequest)
        /// A request broke a limit; answer it with this error (nghttp2 keeps the connection).
        case rejected(streamID: Int32, AdminHTTPError)
        /// The client answered our PING: the shutdown notice has made its round trip.
        case pingAcknowledged
    }

    /// A request stream whose headers or body are still arriving.
    private struct IncomingStream {
        var method: String?
        var path: String?
        var authorization: String?
        var headerCount = 0
        var headerBytes = 0
        var body: [UInt8] = []
        var bodyBytesReceived = 0
        var headersTooLarge = false
    }

    /// A response body nghttp2 is sending from, in DATA frames sized by flow control.
    private struct OutgoingBody {
        var bytes: [UInt8]
        var offset = 0
    }

    private var session: OpaquePointer?
    private let limits: AdminLimits
    private var incoming: [Int32: IncomingStream] = [:]
    private var outgoing: [Int32: OutgoingBody] = [:]
    private var events: [Event] = []

    /// Creates the session and queues the server's SETTINGS frame (sent by the first `drain`).
    init(limits: AdminLimits) throws(HTTP2SessionError) {
        self.limits = limits
        let callbacks = HTTP2Callbacks.make()
        defer { nghttp2_session_callbacks_del(callbacks) }
        var created: OpaquePointer?
        let rv = nghttp2_session_server_new(&created, callbacks, Unmanaged.passUnretained(self).toOpaque())
        guard rv == 0, let created else { throw .sessionCreationFailed(code: Int(rv)) }
        session = created
        var settings = [
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue), value: UInt32(limits.concurrentStreamsMax)),
            nghttp2_settings_entry(
                settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: UInt32(limits.headerBytesMax)),
        ]
        let submitted = nghttp2_submit_settings(created, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count)
        precondition(submitted == 0, "nghttp2 refused our own SETTINGS (error \(submitted))")
    }

    deinit {
        nghttp2_session_del(session)
    }

    static func from(_ userData: UnsafeMutableRawPointer?) -> HTTP2ServerSession {
        Unmanaged<HTTP2ServerSession>.fromOpaque(userData!).takeUnretainedValue()
    }

    // MARK: Driving the session

    /// Feeds the client's bytes to nghttp2. Protocol errors make nghttp2 queue a GOAWAY and
    /// stop wanting to read (the handler then drains and closes); only fatal errors throw.
    func receive(_ bytes: ByteBuffer) throws(HTTP2SessionError) {
        guard bytes.readableBytes > 0 else { return }
        let session = self.session
        let rv = bytes.withUnsafeReadableBytes { raw in
            nghttp2_session_mem_recv(session, raw.bindMemory(to: UInt8.self).baseAddress, raw.count)
        }
        if rv < 0 {
            throw .receiveFailed(code: rv, reason: String(cString: nghttp2_strerror(Int32(rv))))
        }
    }

    /// The events the last `receive` calls produced, oldest first.
    func takeEvents() -> [Event] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    /// Moves queued frames into `out` until nghttp2 has none left or `out` holds `limitBytes`.
    func drain(into out: inout ByteBuffer, limitBytes: Int) throws(HTTP2SessionError) {
        let session = self.session
        while out.readableBytes < limitBytes {
            var chunk: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(session, &chunk)
            if count < 0 {
                throw .sendFailed(code: count, reason: String(cString: nghttp2_strerror(Int32(count))))
            }
            guard count > 0, let chunk else { return }
            out.writeBytes(UnsafeRawBufferPointer(start: chunk, count: count))
        }
    }

    var wantsRead: Bool { nghttp2_session_want_read(session) != 0 }
    var wantsWrite: Bool { nghttp2_session_want_write(session) != 0 }

    /// Queues the response for `streamID`. Returns false when the stream is already gone (the
    /// client reset it while the router was working), in which case nothing is sent.
    @discardableResult
    func submit(_ response: AdminResponse, on streamID: Int32) -> Bool {
        guard nghttp2_session_find_stream(session, streamID) != nil else { return false }
        var fields: [(String, String)] = [
            (":status", String(response.status)),
            ("content-type", response.contentType),
            ("content-length", String(response.body.count)),
        ]
        fields += response.extraHeaders.map { ($0.name, $0.value) }
        if !response.body.isEmpty {
            outgoing[streamID] = OutgoingBody(bytes: response.body)
        }
        let rv = Self.withHeaderFields(fields) { headers in
            if response.body.isEmpty {
                return nghttp2_submit_response(session, streamID, headers.baseAddress, headers.count, nil)
            }
            var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: HTTP2Callbacks.readBody)
            return nghttp2_submit_response(session, streamID, headers.baseAddress, headers.count, &provider)
        }
        guard rv == 0 else {
            outgoing[streamID] = nil
            return false
        }
        return true
    }

    /// Starts a graceful shutdown: a GOAWAY with the maximum stream id tells the client to open
    /// no new streams, and a PING measures the round trip after which `submitGoAway` is safe.
    func submitShutdownNotice() {
        nghttp2_submit_shutdown_notice(session)
        nghttp2_submit_ping(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nil)
    }

    /// The final GOAWAY: streams up to the last one we processed are answered; the client
    /// retries anything later elsewhere. nghttp2 stops wanting to read when they are done.
    func submitGoAway() {
        let lastStreamID = nghttp2_session_get_last_proc_stream_id(session)
        nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), lastStreamID, UInt32(NGHTTP2_NO_ERROR.rawValue), nil, 0)
    }

    /// Calls `body` with nghttp2 name/value pairs pointing into one contiguous copy of
    /// `fields`; nghttp2 copies them during the submit call.
    private static func withHeaderFields<Result>(
        _ fields: [(String, String)], _ body: (UnsafeMutableBufferPointer<nghttp2_nv>) -> Result
    ) -> Result {
        var storage: [UInt8] = []
        var offsets: [(name: Int, nameCount: Int, value: Int, valueCount: Int)] = []
        for (name, value) in fields {
            let nameOffset = storage.count
            storage += name.utf8
            let valueOffset = storage.count
            storage += value.utf8
            offsets.append((nameOffset, name.utf8.count, valueOffset, value.utf8.count))
        }
        return storage.withUnsafeMutableBufferPointer { bytes in
            var headers = offsets.map { offset in
                nghttp2_nv(
                    name: bytes.baseAddress! + offset.name, value: bytes.baseAddress! + offset.value,
                    namelen: offset.nameCount, valuelen: offset.valueCount, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            return headers.withUnsafeMutableBufferPointer { body($0) }
        }
    }

    // MARK: Callbacks (called by nghttp2 inside receive/drain)

    func onBeginHeaders(streamID: Int32) {
        incoming[streamID] = IncomingStream()
    }

    func onHeader(streamID: Int32, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        guard var stream = incoming[streamID] else { return }
        stream.headerCount += 1
        // RFC 7541 §4.1 counts 32 bytes of overhead per field; SETTINGS_MAX_HEADER_LIST_SIZE uses the same rule.
        stream.headerBytes += name.count + value.count + 32
        if stream.headerCount > limits.headerCountMax || stream.headerBytes > limits.headerBytesMax {
            stream.headersTooLarge = true
            stream.authorization = nil
        } else if !stream.headersTooLarge {
            switch String(decoding: name, as: UTF8.self) {
            case ":method": stream.method = String(decoding: value, as: UTF8.self)
            case ":path": stream.path = String(decoding: value, as: UTF8.self)
            case "authorization": stream.authorization = String(decoding: value, as: UTF8.self)
            default: break
            }
        }
        incoming[streamID] = stream
    }

    func onDataChunk(streamID: Int32, bytes: UnsafeBufferPointer<UInt8>) {
        guard var stream = incoming[streamID] else { return }
        incoming[streamID] = nil  // keep the body array uniquely referenced while it grows
        stream.bodyBytesReceived += bytes.count
        if stream.bodyBytesReceived <= limits.bodyBytesMax {
            stream.body.append(contentsOf: bytes)
        } else {
            stream.body = []
        }
        incoming[streamID] = stream
    }

    func onRequestEnded(streamID: Int32) {
        guard let stream = incoming.removeValue(forKey: streamID) else { return }
        if stream.headersTooLarge {
            events.append(.rejected(streamID: streamID, .headersTooLarge(
                "the request has more than \(limits.headerCountMax) header fields or \(limits.headerBytesMax) header bytes")))
        } else if stream.bodyBytesReceived > limits.bodyBytesMax {
            events.append(.rejected(streamID: streamID, .payloadTooLarge(bytes: stream.bodyBytesReceived, limit: limits.bodyBytesMax)))
        } else {
            let request = AdminRequest(
                method: stream.method ?? "", target: stream.path ?? "", authorization: stream.authorization, body: stream.body)
            events.append(.request(streamID: streamID, request))
        }
    }

    func onPingAcknowledged() {
        events.append(.pingAcknowledged)
    }

    func onStreamClosed(streamID: Int32) {
        incoming[streamID] = nil
        outgoing[streamID] = nil
    }

    /// Copies the next piece of `streamID`'s body into nghttp2's buffer; returns the byte count
    /// and whether the body ended.
    func readBody(streamID: Int32, into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, ended: Bool)? {
        guard var body = outgoing.removeValue(forKey: streamID) else { return nil }
        let count = min(buffer.count, body.bytes.count - body.offset)
        body.bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + body.offset, byteCount: count)
        }
        body.offset += count
        let ended = body.offset == body.bytes.count
        if !ended {
            outgoing[streamID] = body
        }
        return (count, ended)
    }
}
