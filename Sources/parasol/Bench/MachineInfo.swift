import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What machine and which code a run measured: cores, CPU, memory, kernel and the git commit
/// of the checkout the binary was built in.
enum MachineInfo {
    static func collect() -> [String: Any] {
        var info: [String: Any] = ["cores": ProcessInfo.processInfo.activeProcessorCount]
        var names = utsname()
        if uname(&names) == 0 {
            func field<T>(_ value: T) -> String {
                withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            }
            info["kernel"] = "\(field(names.sysname)) \(field(names.release)) \(field(names.machine))"
        }
        if let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = cpu.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
            let colon = line.firstIndex(of: ":")
        {
            info["cpuModel"] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        info["memoryBytes"] = Int(ProcessInfo.processInfo.physicalMemory)
        // The checkout the running binary was built in, not the current directory: a run of an
        // older build (from a worktree, to compare) must not carry the current commit's name.
        if let binary = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
            case let directory = (binary as NSString).deletingLastPathComponent,
            let commit = ChildProcess.output("/usr/bin/git", ["rev-parse", "HEAD"], directory: directory)?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        {
            info["gitCommit"] = commit
            let dirty = ChildProcess.output("/usr/bin/git", ["status", "--porcelain", "--untracked-files=no"], directory: directory) ?? ""
            info["gitDirty"] = !dirty.isEmpty
        }
        return info
    }
}
