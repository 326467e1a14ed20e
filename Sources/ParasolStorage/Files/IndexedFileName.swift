/// A file name of the form `<prefix><index as 20 decimal digits><suffix>`, such as
/// `wal-00000000000000000001.log`. Twenty digits hold any `UInt64`, so names sort by index.
struct IndexedFileName: Sendable {
    static let indexDigits = 20

    let prefix: String
    let suffix: String

    func name(for index: UInt64) -> String {
        let digits = String(index)
        return prefix + String(repeating: "0", count: Self.indexDigits - digits.count) + digits + suffix
    }

    /// The index a name carries, or nil when the name is not one of ours (temporary files,
    /// editor backups and anything else an operator put there are ignored, not parsed).
    func index(of name: String) -> UInt64? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix),
              name.utf8.count == prefix.utf8.count + Self.indexDigits + suffix.utf8.count
        else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return UInt64(digits)
    }
}
