import Foundation
import Logging

/// How often a server process started on one data directory, and since when: the restart
/// count and observation window of the reliability model in `parasol health`.
///
/// Kept in `node-starts.json` in the node's data directory and rewritten atomically at each
/// start, so a kill -9 leaves either the old count or the new one, never a torn file.
struct NodeStarts: Codable, Sendable, Equatable {
    /// Starts on this data directory, the current one included.
    var startCount: Int
    /// Wall-clock time of the first start on this data directory.
    var firstStartUnixSeconds: Double

    static let fileName = "node-starts.json"

    /// Counts this start: reads the previous record (none on a fresh directory), adds one and
    /// writes it back. An unreadable record is replaced by a fresh count with a warning —
    /// these are observations for an estimate, not data worth refusing to start over.
    static func recordStart(inDirectory directory: String, now: Date = Date(), logger: Logger) throws -> NodeStarts {
        let path = directory + "/" + fileName
        var record = NodeStarts(startCount: 1, firstStartUnixSeconds: now.timeIntervalSince1970)
        if let data = FileManager.default.contents(atPath: path) {
            do {
                let previous = try JSONDecoder().decode(NodeStarts.self, from: data)
                record = NodeStarts(startCount: previous.startCount + 1, firstStartUnixSeconds: previous.firstStartUnixSeconds)
            } catch {
                logger.warning("\(path) is unreadable (\(error)); counting starts afresh from this one")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            try encoder.encode(record).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ServerError.dataDirectory(path: directory, reason: "cannot write \(fileName): \((error as NSError).localizedDescription)")
        }
        return record
    }

    /// Seconds from the first start on this directory to `now`.
    func lifetimeSeconds(now: Date = Date()) -> Double {
        max(0, now.timeIntervalSince1970 - firstStartUnixSeconds)
    }
}
