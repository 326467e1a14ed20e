import ParasolConsensus

/// Config knobs drawn per seed: half the seeds run the core's defaults, the rest explore small
/// windows and message budgets (which split replication into many messages and open the
/// Figure 8 window), other timings (among them the server's longer campaign timeout), and
/// pre-vote / CheckQuorum switched off.
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
        let silenceTimeout = Bool.random(using: &rng) ? nil : election * Int.random(in: 1...3, using: &rng)
        return { config in
            config.maxEntriesBytesPerMessage = messageBytes
            config.maxInflightMessages = window
            config.heartbeatTicks = heartbeat
            config.electionTicks = election
            config.leaseSafetyMarginTicks = margin
            config.preVote = preVote
            config.checkQuorum = checkQuorum
            config.maxUncommittedBytes = uncommittedBytes
            config.silenceTimeoutTicks = silenceTimeout
        }
    }
}
