/// The outcome of a `CounterJob`; `Codable` for the CLI's `--json`.
public struct CounterReport: Sendable, Codable, Equatable {
    /// Pushes attempted.
    public var requested: Int
    /// Pushes the store confirmed; each added exactly 1.
    public var acknowledged: Int
    /// Pushes that threw; each added 0 or 1.
    public var failed: Int
    /// The counter read before the first push.
    public var initialValue: Double
    /// The counter read back after every push finished. With no other writer,
    /// `acknowledged ≤ value − initialValue ≤ acknowledged + failed` (float32 counts exactly to 2²⁴).
    public var value: Double
    /// The first push error, to show the operator why pushes failed.
    public var firstFailure: String?

    public init(
        requested: Int, acknowledged: Int, failed: Int, initialValue: Double, value: Double, firstFailure: String?
    ) {
        self.requested = requested
        self.acknowledged = acknowledged
        self.failed = failed
        self.initialValue = initialValue
        self.value = value
        self.firstFailure = firstFailure
    }
}
