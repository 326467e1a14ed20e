import Foundation

/// Checks a node's data directory up front, so a wrong path or permission fails at start with
/// the path in the message instead of at the first fsync.
enum DataDirectory {
    static func prepare(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ServerError.dataDirectory(path: path, reason: "cannot create it: \((error as NSError).localizedDescription)")
        }
        let probe = path + "/.write-probe"
        guard FileManager.default.createFile(atPath: probe, contents: Data("ok".utf8)) else {
            throw ServerError.dataDirectory(path: path, reason: "cannot write into it (permissions or a read-only file system)")
        }
        try? FileManager.default.removeItem(atPath: probe)
    }
}
