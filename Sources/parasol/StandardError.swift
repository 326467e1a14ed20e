import Foundation

/// Progress and diagnostics for the operator, on stderr.
enum StandardError {
    /// Writes `line` and a newline. A reader that went away (`parasol bench 2>&1 | head`) is not
    /// an error worth dying for: Foundation's non-throwing `FileHandle.write` traps on EPIPE, and a
    /// benchmark or cluster that dies mid-run leaves its server processes running.
    static func line(_ line: String) {
        try? FileHandle.standardError.write(contentsOf: Data((line + "\n").utf8))
    }
}
