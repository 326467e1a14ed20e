import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Which nodes are cut off from the rest, shared by every `PartitionProxy` of a test cluster.
/// A replication connection between two nodes is cut while either of them is isolated.
final class Partition: Sendable {
    private let isolated = Mutex<Set<String>>([])
    /// Connections closed or refused because of the partition, for the test's story.
    private let cuts = Mutex(0)

    func isolate(_ nodeID: String) { isolated.withLock { _ = $0.insert(nodeID) } }

    func heal() { isolated.withLock { $0.removeAll() } }

    var isolatedNodes: Set<String> { isolated.withLock { $0 } }

    var cutCount: Int { cuts.withLock { $0 } }

    /// Whether traffic between the proxy's target node and `peer` must not flow; `peer` nil is a
    /// connection that did not introduce itself as a node (a client), cut only with the target.
    func isCut(target: String, peer: String?) -> Bool {
        isolated.withLock { set in set.contains(target) || peer.map { set.contains($0) } == true }
    }

    func noteCut() { cuts.withLock { $0 += 1 } }
}

/// A TCP proxy in front of one node's data port, meant to be that node's `peer:` address in the
/// cluster file, so every replication connection *to* the node passes through it. It reads the
/// first frame of each connection (the hello) to learn which node connected — a peer's
/// `clientID` is `(1 << 63) | consensusID`, the consensus id being the node's position in the
/// cluster file + 1 — and then forwards bytes both ways until the `Partition` cuts that pair.
///
/// Plain POSIX sockets and one thread per connection: every blocking call is a `poll` with a
/// short timeout, so `stop()` (or a cut) ends every thread within ~50 ms.
final class PartitionProxy: Sendable {
    let targetNodeID: String
    let targetPort: Int
    let port: Int
    private let shared: Shared

    /// Listens on a free 127.0.0.1 port and forwards to 127.0.0.1:`targetPort`. `nodeIDs` are
    /// the cluster file's node ids in order (consensus id `i + 1` is `nodeIDs[i]`).
    init(targetNodeID: String, targetPort: Int, nodeIDs: [String], partition: Partition) throws {
        self.targetNodeID = targetNodeID
        self.targetPort = targetPort
        var listener: Int32 = -1
        var chosen = 0
        for _ in 0..<20 {
            let candidate = try FreePorts.take(1)[0]
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw ClusterTestError("socket() failed: errno \(errno)") }
            var yes: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            var address = LoopbackAddress(port: candidate)
            if address.withSockaddr({ bind(fd, $0, $1) }) == 0, listen(fd, 64) == 0 {
                listener = fd
                chosen = candidate
                break
            }
            close(fd)
        }
        guard listener >= 0 else { throw ClusterTestError("proxy for \(targetNodeID): no port to listen on") }
        port = chosen
        shared = Shared(
            target: targetNodeID, targetPort: targetPort, nodeIDs: nodeIDs, partition: partition, listener: listener)
        let shared = self.shared
        Thread { shared.acceptLoop() }.start()
    }

    deinit { shared.stop() }

    /// Stops accepting and closes every forwarded connection (within ~50 ms).
    func stop() { shared.stop() }

    /// Connections accepted so far, and how many of them were from each peer node.
    var acceptedPeers: [String: Int] { shared.accepted.withLock { $0 } }

    private final class Shared: Sendable {
        let target: String
        let targetPort: Int
        let nodeIDs: [String]
        let partition: Partition
        let listener: Int32
        let stopped = Atomic<Bool>(false)
        let accepted = Mutex<[String: Int]>([:])

        init(target: String, targetPort: Int, nodeIDs: [String], partition: Partition, listener: Int32) {
            self.target = target
            self.targetPort = targetPort
            self.nodeIDs = nodeIDs
            self.partition = partition
            self.listener = listener
        }

        func stop() { stopped.store(true, ordering: .relaxed) }
        var isStopped: Bool { stopped.load(ordering: .relaxed) }

        func acceptLoop() {
            defer { close(listener) }
            while !isStopped {
                var descriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 50) > 0 else { continue }
                let client = accept(listener, nil, nil)
                guard client >= 0 else { continue }
                Thread { [self] in self.serve(client) }.start()
            }
        }

        /// One accepted connection: hello, partition check, upstream connect, then the pump.
        private func serve(_ client: Int32) {
            defer { close(client) }
            setNoDelay(client)
            // The hello: a 28-byte header (payload length u32 LE at 20), then the payload
            // (minVersion u8, maxVersion u8, clientID u64 LE, token).
            guard let header = readExactly(client, count: 28, timeoutMillis: 5_000), header[0..<4] == [0x50, 0x52, 0x53, 0x4C] else { return }
            let payloadLength = Int(UInt32(header[20]) | UInt32(header[21]) << 8 | UInt32(header[22]) << 16 | UInt32(header[23]) << 24)
            guard payloadLength <= 1 << 20, let payload = readExactly(client, count: payloadLength, timeoutMillis: 5_000) else { return }
            var peer: String?
            if header[5] == 0x01, payload.count >= 10 {
                let clientID = (0..<8).reduce(UInt64(0)) { $0 | UInt64(payload[2 + $1]) << (8 * UInt64($1)) }
                if clientID & (1 << 63) != 0 {
                    let position = Int(clientID & ~(1 << 63)) - 1
                    peer = nodeIDs.indices.contains(position) ? nodeIDs[position] : "consensus-\(position + 1)"
                }
            }
            accepted.withLock { $0[peer ?? "client", default: 0] += 1 }
            if partition.isCut(target: target, peer: peer) {
                partition.noteCut()
                return
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard upstream >= 0 else { return }
            defer { close(upstream) }
            var address = LoopbackAddress(port: targetPort)
            guard address.withSockaddr({ connect(upstream, $0, $1) }) == 0 else { return }
            setNoDelay(upstream)
            guard sendAll(upstream, header + payload, peer: peer) else { return }
            pump(client, upstream, peer: peer)
        }

        /// Copies bytes both ways until either side closes, the proxy stops or the pair is cut.
        private func pump(_ client: Int32, _ upstream: Int32, peer: String?) {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while !isStopped {
                if partition.isCut(target: target, peer: peer) {
                    partition.noteCut()
                    return
                }
                var descriptors = [
                    pollfd(fd: client, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: upstream, events: Int16(POLLIN), revents: 0),
                ]
                let ready = poll(&descriptors, 2, 50)
                if ready < 0 && errno != EINTR { return }
                guard ready > 0 else { continue }
                for (index, (from, to)) in [(client, upstream), (upstream, client)].enumerated()
                where descriptors[index].revents != 0 {
                    let n = buffer.withUnsafeMutableBytes { recv(from, $0.baseAddress, $0.count, 0) }
                    guard n > 0 else { return }
                    guard sendAll(to, Array(buffer[0..<n]), peer: peer) else { return }
                }
            }
        }

        /// Sends everything, waiting for room with `poll`; gives up when stopped or cut.
        private func sendAll(_ fd: Int32, _ bytes: [UInt8], peer: String?) -> Bool {
            var offset = 0
            while offset < bytes.count {
                if isStopped || partition.isCut(target: target, peer: peer) { return false }
                var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                guard poll(&descriptor, 1, 50) > 0 else { continue }
                if descriptor.revents & Int16(POLLOUT) == 0 { return false }
                let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                if n > 0 {
                    offset += n
                } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                    continue
                } else {
                    return false
                }
            }
            return true
        }

        private func readExactly(_ fd: Int32, count: Int, timeoutMillis: Int) -> [UInt8]? {
            var bytes = [UInt8](repeating: 0, count: count)
            var offset = 0
            let deadline = Date().addingTimeInterval(Double(timeoutMillis) / 1000)
            while offset < count {
                guard !isStopped, Date() < deadline else { return nil }
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 50) > 0 else { continue }
                let n = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + offset, count - offset, 0) }
                guard n > 0 else { return nil }
                offset += n
            }
            return bytes
        }

        private func setNoDelay(_ fd: Int32) {
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
        }
    }
}
