/// Compares cluster tokens in time that does not depend on where they first differ, so a
/// client cannot find the token byte by byte by timing refusals.
enum TokenCheck {
    static func matches(presented: String, expected: String) -> Bool {
        guard !expected.isEmpty else { return true }
        let a = Array(presented.utf8)
        let b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
