import ParasolConsensus

/// What the simulated clients do.
struct Workload: Sendable {
    var clientCount = 0
    var writeChancePerTick = 0.0
    var readChancePerTick = 0.0
    /// A client that hears nothing back for this long retries elsewhere.
    var requestTimeoutTicks: UInt64 = 40
    /// Chance that a new request goes to a random replica instead of the believed leader (clients
    /// with stale routing: this is how reads reach deposed leaders whose lease must have ended).
    var randomTargetProbability = 0.0

    static let none = Workload()

    static func swarm(using rng: inout SeededGenerator) -> Workload {
        Workload(
            clientCount: Int.random(in: 1...4, using: &rng),
            writeChancePerTick: Double.random(in: 0.05...0.8, using: &rng),
            readChancePerTick: Double.random(in: 0.05...0.8, using: &rng),
            requestTimeoutTicks: UInt64.random(in: 5...40, using: &rng),
            randomTargetProbability: Double.random(in: 0...0.5, using: &rng)
        )
    }
}
