import Foundation
import Testing

/// A benchmark whose reader goes away (`parasol bench 2>&1 | head`) still stops the server
/// processes it started: before, its next progress line killed it (SIGPIPE, or Foundation's trap
/// on EPIPE) and left them running.
@Suite struct BenchCleanupTests {
    @Test func aBenchWhoseOutputIsClosedStillStopsItsServers() async throws {
        let arguments = ["bench", "--quick", "--only", "dense", "--sizes", "64", "--in-flight", "1", "--replication", "1"]
        let (benchPID, output) = try Self.spawnWithDefaultSIGPIPE(LocalCluster.binary, arguments)
        let exited = await onOwnThread { () -> Bool in
            // The first line says the cluster is up: its servers run. Stop reading there, so the
            // next line the benchmark prints goes to a closed pipe.
            var byte: UInt8 = 0
            while read(output, &byte, 1) == 1 && byte != UInt8(ascii: "\n") {}
            close(output)
            let deadline = Date().addingTimeInterval(120)
            var status: Int32 = 0
            while waitpid(benchPID, &status, WNOHANG) == 0 {
                guard Date() < deadline else { return false }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return true
        }
        if !exited {
            kill(benchPID, SIGKILL)
            _ = waitpid(benchPID, nil, 0)
        }
        #expect(exited, "the benchmark did not finish within 120 s of its reader going away")

        let left = Self.processes(withArgumentContaining: "parasol-bench-\(benchPID)-")
        for pid in left { kill(pid, SIGKILL) }
        #expect(left.isEmpty, "server processes left running by the benchmark: \(left)")
    }

    /// Starts `executable` with stdout and stderr on a pipe (whose read end is returned), as
    /// `2>&1 | head` would, and SIGPIPE at its default action as from a shell: the test runner may
    /// ignore SIGPIPE, and an ignored signal stays ignored across exec.
    static func spawnWithDefaultSIGPIPE(_ executable: String, _ arguments: [String]) throws -> (pid_t, Int32) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw POSIXError(.EMFILE) }
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
