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
        return profile
    }
}

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

/// Config knobs drawn per seed: half the seeds run the defaults the shell ships with, the rest
/// explore small windows and message budgets (which split replication into many messages and
/// open the Figure 8 window), other timings, and pre-vote / CheckQuorum switched off.
enum ConfigProfile {
    static func swarm(using rng: inout SeededGenerator) -> (inout Config) -> Void {
        guard Bool.random(using: &rng) else { return { _ in } }
        let messageBytes = [1, 60, 200, 1 << 20].randomElement(using: &rng)!
        let window = Int.random(in: 1...8, using: &rng)
        let heartbeat = Int.random(in: 1...4, using: &rng)
        let election = Int.random(in: max(heartbeat * 3, 6)...20, using: &rng)
        let margin = Int.random(in: 1...(election / 3), using: &rng)
        let preVote = Double.random(in: 0..<1, using: &rng) < 0.8
        let checkQuorum = Double.random(in: 0..<1, using: &rng) < 0.8
        let uncommittedBytes = Bool.random(using: &rng) ? 600 : 64 << 20
        return { config in
            config.maxEntriesBytesPerMessage = messageBytes
            config.maxInflightMessages = window
            config.heartbeatTicks = heartbeat
            config.electionTicks = election
            config.leaseSafetyMarginTicks = margin
            config.preVote = preVote
            config.checkQuorum = checkQuorum
            config.maxUncommittedBytes = uncommittedBytes
        }
    }
}
