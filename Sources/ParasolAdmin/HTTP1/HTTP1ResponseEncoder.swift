import NIOCore

/// Frames an `AdminResponse` as one HTTP/1.1 response (always with `content-length`, never chunked).
enum HTTP1ResponseEncoder {
    static func encode(_ response: AdminResponse, keepAlive: Bool, into buffer: inout ByteBuffer) {
        buffer.writeString("HTTP/1.1 \(response.status) \(HTTPStatusPhrase.of(response.status))\r\n")
        buffer.writeString("content-type: \(response.contentType)\r\n")
        buffer.writeString("content-length: \(response.body.count)\r\n")
        buffer.writeString(keepAlive ? "connection: keep-alive\r\n" : "connection: close\r\n")
        for header in response.extraHeaders {
            buffer.writeString("\(header.name): \(header.value)\r\n")
        }
        buffer.writeString("\r\n")
        buffer.writeBytes(response.body)
    }
}
