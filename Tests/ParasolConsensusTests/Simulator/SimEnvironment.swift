#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The environment knobs of the simulation tests. Only test code reads the environment or
/// the system's randomness; the core never does.
enum SimEnvironment {
    /// `PARASOL_SIM_SEED`: replay exactly this one seed (printed by every failure).
    static var singleSeed: UInt64? { unsigned("PARASOL_SIM_SEED") }

    /// `PARASOL_SIM_SEED_BASE`: first seed of a swarm; random per run when unset, so every
    /// `make test` explores new schedules (and prints the base it used).
    static var seedBase: UInt64 { unsigned("PARASOL_SIM_SEED_BASE") ?? UInt64.random(in: 1...(1 << 48)) }

    /// `PARASOL_SIM_RUNS`: how many seeded schedules the swarm test runs.
    static func runs(default defaultRuns: Int) -> Int { unsigned("PARASOL_SIM_RUNS").map { Int($0) } ?? defaultRuns }

    /// `PARASOL_SIM_WORKERS`: parallel simulation workers (default 2, this machine's cores).
    static var workers: Int { unsigned("PARASOL_SIM_WORKERS").map { max(1, Int($0)) } ?? 2 }

    /// `PARASOL_SIM_TRACE=1`: print every simulator event (use with `PARASOL_SIM_SEED`).
    static var traceEnabled: Bool { string("PARASOL_SIM_TRACE") == "1" }

    /// The one-line command that replays `seed`.
    static func replayCommand(seed: UInt64) -> String {
        "PARASOL_SIM_SEED=\(seed) swift test -c release -Xswiftc -enable-testing --filter ParasolConsensusTests.SwarmTests"
    }

    private static func string(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    private static func unsigned(_ name: String) -> UInt64? {
        guard let text = string(name), !text.isEmpty else { return nil }
        guard let value = UInt64(text) else { fatalError("\(name)=\(text) is not an unsigned integer") }
        return value
    }
}
