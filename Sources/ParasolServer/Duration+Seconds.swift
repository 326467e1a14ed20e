extension Duration {
    /// The duration in seconds as a `Double`, for JSON fields and gauges measured in seconds.
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
