import CNghttp2

/// The C callbacks of an nghttp2 server session, forwarding to the `HTTP2ServerSession` that
/// nghttp2 hands back as user data.
///
/// They are written here, in a nonisolated enum, on purpose: a `@convention(c)` closure written
/// in a `@MainActor` context compiles but traps when nghttp2 calls it from an event-loop thread.
enum HTTP2Callbacks {
    /// A fresh callback set; nghttp2 copies it into each session, so the caller deletes it.
    static func make() -> OpaquePointer? {
        var callbacks: OpaquePointer?
        let rv = nghttp2_session_callbacks_new(&callbacks)
        precondition(rv == 0, "nghttp2_session_callbacks_new failed (\(rv)): out of memory")

        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, userData in
            guard let frame, HTTP2Callbacks.isRequestHeaders(frame) else { return 0 }
            HTTP2ServerSession.from(userData).onBeginHeaders(streamID: frame.pointee.hd.stream_id)
            return 0
        }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, frame, name, nameCount, value, valueCount, _, userData in
            guard let frame, HTTP2Callbacks.isRequestHeaders(frame) else { return 0 }
            HTTP2ServerSession.from(userData).onHeader(
                streamID: frame.pointee.hd.stream_id,
                name: UnsafeBufferPointer(start: name, count: nameCount),
                value: UnsafeBufferPointer(start: value, count: valueCount))
            return 0
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, count, userData in
            HTTP2ServerSession.from(userData).onDataChunk(streamID: streamID, bytes: UnsafeBufferPointer(start: data, count: count))
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            guard let frame else { return 0 }
            let header = frame.pointee.hd
            let session = HTTP2ServerSession.from(userData)
            switch UInt32(header.type) {
            case NGHTTP2_HEADERS.rawValue, NGHTTP2_DATA.rawValue:
                if header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0 {
                    session.onRequestEnded(streamID: header.stream_id)
                }
            case NGHTTP2_PING.rawValue:
                if header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0 {
                    session.onPingAcknowledged()
                }
            default:
                break
            }
            return 0
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, _, userData in
            HTTP2ServerSession.from(userData).onStreamClosed(streamID: streamID)
            return 0
        }
        return callbacks
    }

    /// The data provider's read callback for response bodies.
    static let readBody: nghttp2_data_source_read_callback = { _, streamID, buffer, length, flags, _, userData in
        guard let buffer, let flags,
            let (count, ended) = HTTP2ServerSession.from(userData).readBody(
                streamID: streamID, into: UnsafeMutableRawBufferPointer(start: buffer, count: length))
        else {
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
        if ended {
            flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
        }
        return count
    }

    private static func isRequestHeaders(_ frame: UnsafePointer<nghttp2_frame>) -> Bool {
        UInt32(frame.pointee.hd.type) == NGHTTP2_HEADERS.rawValue && frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST
    }
}
