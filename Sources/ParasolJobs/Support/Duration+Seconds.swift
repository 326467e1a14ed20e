extension Duration {
    /// The duration as fractional seconds, for rates such as examples per second.
    var inSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
