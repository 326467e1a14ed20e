import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What machine and which code a run measured: cores, CPU, memory, kernel and git commit.
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
        if let commit = ChildProcess.output("/usr/bin/git", ["rev-parse", "HEAD"])?.trimmingCharacters(in: .whitespacesAndNewlines) {
            info["gitCommit"] = commit
            let dirty = ChildProcess.output("/usr/bin/git", ["status", "--porcelain", "--untracked-files=no"]) ?? ""
            info["gitDirty"] = !dirty.isEmpty
        }
        return info
    }
}
