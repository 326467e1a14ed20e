import Foundation
import Testing

/// The server processes a benchmark starts never outlive it: not when its reader goes away
/// (`parasol bench 2>&1 | head`: its next progress line killed it, by SIGPIPE or Foundation's
/// trap on EPIPE), nor when it is killed with SIGKILL (its servers now stop with their parent).
@Suite(.serialized) struct BenchCleanupTests {
    private static let quickBench = ["bench", "--quick", "--only", "dense", "--sizes", "64", "--in-flight", "1", "--replication", "1"]

    @Test func aBenchWhoseOutputIsClosedStillStopsItsServers() async throws {
        let (benchPID, output) = try Self.spawnAsFromAShell(LocalCluster.binary, Self.quickBench)
        let exited = await onOwnThread { () -> Int32? in
            // The first line says the cluster is up: its servers run. Stop reading there, so the
            // next line the benchmark prints goes to a closed pipe.
            var byte: UInt8 = 0
            while read(output, &byte, 1) == 1 && byte != UInt8(ascii: "\n") {}
            close(output)
            let deadline = Date().addingTimeInterval(120)
            var status: Int32 = 0
            while waitpid(benchPID, &status, WNOHANG) == 0 {
                guard Date() < deadline else { return nil }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return status
        }
        if exited == nil {
            kill(benchPID, SIGKILL)
            _ = waitpid(benchPID, nil, 0)
        }
        // It ran to the end (its servers served), only without a reader.
        #expect(exited == 0, "the benchmark did not exit 0 within 120 s of its reader going away (wait status \(exited.map(String.init) ?? "none"))")

        let left = Self.processes(withArgumentContaining: "parasol-bench-\(benchPID)-")
        for pid in left { kill(pid, SIGKILL) }
        #expect(left.isEmpty, "server processes left running by the benchmark: \(left)")
    }

    @Test func aBenchKilledWithSIGKILLLeavesNoServerRunning() async throws {
        let (benchPID, output) = try Self.spawnAsFromAShell(
            LocalCluster.binary, ["bench", "--only", "dense", "--sizes", "64,4MiB", "--in-flight", "1", "--replication", "1"])
        let marker = "parasol-bench-\(benchPID)-"
        let gone = await onOwnThread { () -> Bool in
            // The first line says the cluster started, the second that its servers served a
            // case; kill the benchmark then, mid-run.
            var byte: UInt8 = 0
            for _ in 0..<2 {
                while read(output, &byte, 1) == 1 && byte != UInt8(ascii: "\n") {}
            }
            close(output)
            kill(benchPID, SIGKILL)
            _ = waitpid(benchPID, nil, 0)
            let deadline = Date().addingTimeInterval(20)
            while !Self.processes(withArgumentContaining: marker).isEmpty {
                guard Date() < deadline else { return false }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return true
        }
        let left = Self.processes(withArgumentContaining: marker)
        for pid in left { kill(pid, SIGKILL) }
        #expect(gone, "server processes still running 20 s after their benchmark was killed: \(left)")
        try? FileManager.default.removeItem(atPath: FileManager.default.temporaryDirectory.path + "/\(marker)rf1")
    }

    /// Starts `executable` with stdout and stderr on a pipe (whose read end is returned), as
    /// `2>&1 | head` would, and SIGPIPE at its default action as from a shell: the test runner may
    /// ignore SIGPIPE, and an ignored signal stays ignored across exec.
    static func spawnAsFromAShell(_ executable: String, _ arguments: [String]) throws -> (pid_t, Int32) {
        // Close-on-exec: a process another test starts meanwhile must not inherit the read end
        // and keep the pipe open after this test closed it.
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
        posix_spawn_file_actions_adddup2(&actions, ends[1], 2)
        posix_spawn_file_actions_addclose(&actions, ends[0])
        posix_spawn_file_actions_addclose(&actions, ends[1])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        close(ends[1])
        guard result == 0 else {
            close(ends[0])
            throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL)
        }
        return (pid, ends[0])
    }

    /// Processes whose command line has an argument containing `text` (the bench's servers get
    /// a cluster file in a folder named after the bench's pid).
    static func processes(withArgumentContaining text: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry),
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                  String(decoding: cmdline, as: UTF8.self).contains(text)
            else { return nil }
            return pid
        }
    }
}
