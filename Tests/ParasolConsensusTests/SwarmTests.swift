import Testing

@testable import ParasolConsensus

/// The deterministic cluster simulator run over many seeds (TigerBeetle's VOPR idea): each seed
/// draws a cluster size, a fault profile and a workload, runs a safety phase and a liveness
/// phase, and the checker watches every event. `PARASOL_SIM_RUNS` sets the number of schedules,
/// `PARASOL_SIM_SEED_BASE` the first seed, `PARASOL_SIM_WORKERS` the parallelism, and
/// `PARASOL_SIM_SEED` replays one seed (with `PARASOL_SIM_TRACE=1` to print its events).
@Suite struct SwarmTests {
    static let defaultRuns = 10_000

    /// Seeds that once found a bug, replayed on every run so the bug stays fixed.
    /// - 269103396386479: a leader's snapshot stream was labelled with the term the node had
    ///   when its disk sync completed, not the term that asked for it; after stepping down it
    ///   streamed "as leader" of the new term to that term's real leader, which crashed.
    static let regressionSeeds: [UInt64] = [269_103_396_386_479]

    @Test(arguments: regressionSeeds) func seedThatOnceFailedStillPasses(seed: UInt64) {
        let outcome = SwarmRun.run(seed: seed)
        #expect(outcome.failure == nil, "seed \(seed): \(outcome.report)")
    }

    @Test func seededSchedulesKeepEveryInvariant() async {
        CrashSeedReporter.install()
        if let seed = SimEnvironment.singleSeed {
            let trace: ((String) -> Void)? = SimEnvironment.traceEnabled ? { print($0) } : nil
            let outcome = SwarmRun.run(seed: seed, trace: trace)
            print("seed \(seed): \(outcome.nodeCount) nodes, \(outcome.ticks) ticks, \(outcome.committedEntries) committed, "
                + "\(outcome.acknowledgedWrites) acked writes, \(outcome.servedReads) lease reads, liveness \(outcome.livenessTicks) ticks")
            if outcome.failure != nil { Issue.record(Comment(rawValue: outcome.report)) }
            return
        }

        let runs = SimEnvironment.runs(default: Self.defaultRuns)
        let base = SimEnvironment.seedBase
        print("swarm: \(runs) schedules, seeds \(base)..<\(base + UInt64(runs)) (PARASOL_SIM_SEED_BASE=\(base) reproduces the set)")
        let workers = SimEnvironment.workers
        let totals = await withTaskGroup(of: WorkerTotals.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var totals = WorkerTotals()
                    var k = worker
                    while k < runs {
                        let seed = base &+ UInt64(k)
                        CrashSeedReporter.publish(seed: seed, worker: worker)
                        totals.add(SwarmRun.run(seed: seed))
                        k += workers
                        // Let other tests' tasks run between schedules: without this the
                        // workers hold every thread of the shared pool for the whole swarm,
                        // and network tests running beside it miss their deadlines.
                        await Task.yield()
                    }
                    CrashSeedReporter.clear(worker: worker)
                    return totals
                }
            }
            var all = WorkerTotals()
            for await totals in group { all.merge(totals) }
            return all
        }
        print("swarm: \(totals.runs) schedules, \(totals.ticks) ticks, \(totals.committedEntries) committed entries, "
            + "\(totals.acknowledgedWrites) acknowledged writes, \(totals.servedReads) lease reads, "
            + "liveness max \(totals.livenessTicksMax) ticks, \(totals.failures.count) failures")
        for failure in totals.failures.prefix(20) { Issue.record(Comment(rawValue: failure)) }
        #expect(totals.runs == runs)
    }
}

/// What one worker saw; merged at the end.
struct WorkerTotals: Sendable {
    var runs = 0
    var ticks: UInt64 = 0
    var committedEntries = 0
    var acknowledgedWrites = 0
    var servedReads = 0
    var livenessTicksMax = 0
    var failures: [String] = []

    mutating func add(_ outcome: SwarmRun.Outcome) {
        runs += 1
        ticks += outcome.ticks
        committedEntries += outcome.committedEntries
        acknowledgedWrites += outcome.acknowledgedWrites
        servedReads += outcome.servedReads
        livenessTicksMax = max(livenessTicksMax, outcome.livenessTicks)
        if outcome.failure != nil { failures.append(outcome.report) }
    }

    mutating func merge(_ other: WorkerTotals) {
        runs += other.runs
        ticks += other.ticks
        committedEntries += other.committedEntries
        acknowledgedWrites += other.acknowledgedWrites
        servedReads += other.servedReads
        livenessTicksMax = max(livenessTicksMax, other.livenessTicksMax)
        failures += other.failures
    }
}
