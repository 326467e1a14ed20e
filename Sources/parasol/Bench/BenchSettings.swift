import ParasolConfig

/// The parts of `parasol bench`; `--only` picks a subset.
enum BenchSection: String, CaseIterable, Sendable {
    case dense, smallops, sparse, failover, snapshot, memory
}

/// Every knob of one benchmark run, derived from the flags; written into the JSON report so a
/// figure can always be traced to the sizes and durations that produced it.
struct BenchSettings: Sendable {
    var quick: Bool
    var sections: Set<BenchSection>
    var replicationFactors: [Int]
    var durability: Durability
    var shardCount = 4
    /// Dense tensor sizes in bytes.
    var denseSizesBytes: [Int]
    var inFlights = [1, 16]
    /// In-flight requests of one dense case are capped so that at most this many bytes are in
    /// flight (64 MiB × 16 would hold 1 GiB in the client and again in each server's log).
    var inFlightBytesMax = 512 << 20
    /// Each measured case stops after this long or `caseOpsMax` operations, whichever comes first.
    var caseSeconds: Double
    var caseOpsMax: Int
    var smallOpClients = 4
    var smallOpInFlight = 64
    var smallOpSeconds: Double
    var sparseTableRows = 1_000_000
    var sparseBatchRows = 1024
    var sparseDimension = 64
    var failoverKills: Int
    var snapshotBytes: Int
    var snapshotProbeSeconds: Double

    init(quick: Bool, sections: Set<BenchSection>, replicationFactors: [Int], durability: Durability) {
        self.quick = quick
        self.sections = sections
        self.replicationFactors = replicationFactors
        self.durability = durability
        let kib = 1024, mib = 1024 * 1024
        if quick {
            denseSizesBytes = [64, 4 * kib, 64 * kib, mib, 4 * mib, 16 * mib]
            caseSeconds = 0.35
            caseOpsMax = 2000
            smallOpSeconds = 1.5
            failoverKills = 3
            snapshotBytes = 128 * mib
            snapshotProbeSeconds = 1.0
        } else {
            denseSizesBytes = [64, 4 * kib, 64 * kib, mib, 4 * mib, 16 * mib, 64 * mib]
            caseSeconds = 1.5
            caseOpsMax = 20_000
            smallOpSeconds = 5
            failoverKills = 10
            snapshotBytes = 1024 * mib
            snapshotProbeSeconds = 3
        }
    }

    var json: [String: Any] {
        [
            "quick": quick, "sections": sections.map(\.rawValue).sorted(), "replicationFactors": replicationFactors,
            "durability": durability.rawValue, "shards": shardCount, "denseSizesBytes": denseSizesBytes, "inFlights": inFlights, "inFlightBytesMax": inFlightBytesMax,
            "caseSeconds": caseSeconds, "caseOpsMax": caseOpsMax, "smallOpClients": smallOpClients,
            "smallOpInFlight": smallOpInFlight, "smallOpSeconds": smallOpSeconds, "sparseTableRows": sparseTableRows,
            "sparseBatchRows": sparseBatchRows, "sparseDimension": sparseDimension, "failoverKills": failoverKills,
            "snapshotBytes": snapshotBytes, "snapshotProbeSeconds": snapshotProbeSeconds,
        ]
    }
}
