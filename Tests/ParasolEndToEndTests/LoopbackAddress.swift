#if canImport(Glibc)
import Glibc
#endif

/// 127.0.0.1:`port` as the socket calls want it; the one place the tests build a sockaddr.
struct LoopbackAddress {
    private var address = sockaddr_in()

    init(port: Int) {
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
    }

    var port: Int { Int(UInt16(bigEndian: address.sin_port)) }

    /// Calls `body` with the address as a `sockaddr` pointer and its length (bind, connect).
    mutating func withSockaddr<Result>(_ body: (UnsafeMutablePointer<sockaddr>, inout socklen_t) -> Result) -> Result {
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        return withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, &length) }
        }
    }
}
