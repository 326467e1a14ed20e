import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP socket with a receive timeout, for sending a server bytes no well-behaved
/// client would send.
final class RawSocket {
    private let fd: Int32

    init(port: Int, receiveTimeoutSeconds: Int = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = LoopbackAddress(port: port)
        let connected = address.withSockaddr { connect(fd, $0, $1) }
        guard connected == 0 else {
            close(fd)
            throw ClusterTestError("cannot connect to 127.0.0.1:\(port)")
        }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Everything the server sends until it closes the connection (or the timeout passes);
    /// `closed` tells which.
    func readUntilClosed() -> (bytes: [UInt8], closed: Bool) {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                received += chunk[0..<n]
            } else {
                return (received, n == 0)
            }
        }
    }
}
