import ParasolConsensus

/// How hostile one simulated run is. Swarm testing draws every knob per seed, so some runs are
/// calm and some are storms, and rare combinations get explored (TigerBeetle's VOPR, FoundationDB).
struct FaultProfile: Sendable {
    var messageDropProbability = 0.0
    var messageDuplicateProbability = 0.0
    var messageDelayProbability = 0.0
    var messageDelayTicksMax = 0
    var messageReorderProbability = 0.0
    var partitionChancePerTick = 0.0
    /// Cuts the current leader off from everyone: the fault that forces failovers, deposed
    /// leaders with (supposedly expired) leases, and entries of old terms left behind.
    var leaderIsolationChancePerTick = 0.0
    var oneWayCutChancePerTick = 0.0
    var healChancePerTick = 0.0
    var crashChancePerTick = 0.0
    var restartChancePerTick = 0.0
    var diskDelayProbability = 0.0
    var diskDelayTicksMax = 0
    /// When a node crashes with an unsynced write, the chance that a prefix of it survived anyway.
    var tornWriteProbability = 0.0
    var compactionChancePerTick = 0.0
    var snapshotLossProbability = 0.0
    var snapshotFailureReportProbability = 0.0
    var transferChancePerTick = 0.0
    var campaignChancePerTick = 0.0
    /// A node's thread stops for up to `stallTicksMax` ticks (a GC-like pause, a descheduled
    /// process, a 64 MiB copy): it neither ticks nor handles events, then catches up the way the
    /// server's shell does — a leader with `tick(stalled:)`, any other node with one tick — before
    /// it handles what queued up during the stall.
    var stallChancePerTick = 0.0
    var stallTicksMax = 0

    /// A perfect LAN: no loss, no delay beyond the tick, disks sync at once.
    static let calm = FaultProfile()

    /// Each fault is on for about half the seeds, with a magnitude drawn per seed.
    static func swarm(using rng: inout SeededGenerator) -> FaultProfile {
        func maybe(_ range: ClosedRange<Double>) -> Double {
            Bool.random(using: &rng) ? Double.random(in: range, using: &rng) : 0
        }
        var profile = FaultProfile()
        profile.messageDropProbability = maybe(0...0.25)
        profile.messageDuplicateProbability = maybe(0...0.1)
        profile.messageDelayProbability = maybe(0...0.4)
        profile.messageDelayTicksMax = Int.random(in: 1...40, using: &rng)
        profile.messageReorderProbability = maybe(0...0.3)
        profile.partitionChancePerTick = maybe(0...0.02)
        profile.leaderIsolationChancePerTick = maybe(0...0.02)
        profile.oneWayCutChancePerTick = maybe(0...0.02)
        profile.healChancePerTick = Double.random(in: 0.005...0.05, using: &rng)
        profile.crashChancePerTick = maybe(0...0.01)
        profile.restartChancePerTick = Double.random(in: 0.01...0.1, using: &rng)
        profile.diskDelayProbability = maybe(0...0.5)
        profile.diskDelayTicksMax = Int.random(in: 1...5, using: &rng)
        profile.tornWriteProbability = maybe(0...1)
        profile.compactionChancePerTick = maybe(0...0.05)
        profile.snapshotLossProbability = maybe(0...0.3)
        profile.snapshotFailureReportProbability = maybe(0...0.3)
        profile.transferChancePerTick = maybe(0...0.03)
        profile.campaignChancePerTick = maybe(0...0.005)
        profile.stallChancePerTick = maybe(0...0.02)
        profile.stallTicksMax = Int.random(in: 1...60, using: &rng)
        return profile
    }
}
