@testable import ParasolConsensus

/// Watches a simulated cluster and records the first safety violation. It never takes part:
/// it only reads replicas, `Ready`s and client outcomes, and keeps its own reference model.
///
/// Invariants: at most one leader per term; terms never go backwards (in memory per life, and on
/// disk across crashes); log matching (an (index, term) pair always names the same content and
/// the same previous term); committed entries never change (one canonical committed chain that
/// every replica's committed prefix must equal); every replica applies the same command sequence
/// and reaches the same state (compared with the reference model at every applied index); every
/// acknowledged write is in the canonical chain (so never lost) and took effect once; every lease
/// read reflects every write acknowledged before it started; committed entries are durable on a
/// quorum of disks.
/// Hot state is marked `@exclusivity(unchecked)`: the runtime's dynamic exclusivity checks on
/// class properties cost a third of the swarm's time, and a run is confined to one thread.
final class SimChecker {
    struct CanonicalEntry {
        var term: Term
        var contentDigest: UInt64
        var counterAfter: Int64
        var digestAfter: UInt64
    }

    private struct EntryKey: Hashable {
        var index: LogIndex
        var term: Term
    }

    private struct EntryIdentity: Equatable {
        var contentDigest: UInt64
        var previousTerm: Term
    }

    let quorum: Int
    @exclusivity(unchecked) private(set) var failure: String?
    private(set) var failureTick: UInt64 = 0
    var now: UInt64 = 0

    @exclusivity(unchecked) private(set) var canonical: [CanonicalEntry] = []
    private var referenceSessions = Set<UInt64>()
    private var referenceCounter: Int64 = 0
    private var referenceDigest: UInt64 = 0
    /// Where each (client, seq) first took effect in the canonical chain.
    private(set) var firstEffectIndex: [UInt64: LogIndex] = [:]
    private(set) var maxAcknowledgedEffectIndex: LogIndex = 0
    private(set) var acknowledgedWrites = 0
    private(set) var servedReads = 0

    @exclusivity(unchecked) private var leaderOfTerm: [Term: NodeID] = [:]
    @exclusivity(unchecked) private var termSeen: [Term]
    @exclusivity(unchecked) private var durableTerm: [Term]
    @exclusivity(unchecked) private var commitChecked: [LogIndex]
    @exclusivity(unchecked) private var entryIdentities: [EntryKey: EntryIdentity] = [:]

    init(nodeCount: Int) {
        quorum = nodeCount / 2 + 1
        termSeen = Array(repeating: 0, count: nodeCount)
        durableTerm = Array(repeating: 0, count: nodeCount)
        commitChecked = Array(repeating: 0, count: nodeCount)
    }

    var hasFailed: Bool { failure != nil }

    func fail(_ message: String) {
        guard failure == nil else { return }
        failure = message
        failureTick = now
    }

    // MARK: After every event

    /// Called after every event on each replica the event touched (only they can have changed).
    func observe(_ replica: SimReplica) {
        guard let term = replica.node?.term, let role = replica.node?.role else { return }
        let slot = Int(replica.id.rawValue) - 1
        if term < termSeen[slot] { fail("\(replica.id) term went back from \(termSeen[slot]) to \(term)") }
        termSeen[slot] = term
        if role == .leader {
            if let other = leaderOfTerm[term], other != replica.id {
                fail("two leaders in term \(term): \(other) and \(replica.id)")
            }
            leaderOfTerm[term] = replica.id
        }
        checkCommitted(replica)
    }

    /// Compares the replica's newly committed entries with the canonical chain, extending it.
    func checkCommitted(_ replica: SimReplica) {
        guard let node = replica.node else { return }
        let slot = Int(replica.id.rawValue) - 1
        let commit = node.commitIndex
        var index = commitChecked[slot]
        if commit <= index {
            commitChecked[slot] = commit
            return
        }
        let snapshot = node.snapshot
        if index < snapshot.index {
            guard snapshot.index <= LogIndex(canonical.count) else {
                fail("\(replica.id) holds snapshot \(snapshot.index) beyond the canonical chain (\(canonical.count))")
                return
            }
            if canonical[Int(snapshot.index) - 1].term != snapshot.term {
                fail("\(replica.id) snapshot says term \(snapshot.term) at \(snapshot.index); canonical has \(canonical[Int(snapshot.index) - 1].term)")
            }
            index = snapshot.index
        }
        while index < commit {
            index += 1
            guard let entry = node.log.entry(at: index) else {
                fail("\(replica.id) committed \(index) but its log does not hold it")
                return
            }
            record(entry, committedBy: replica.id)
        }
        commitChecked[slot] = commit
    }

    private func record(_ entry: LogEntry, committedBy node: NodeID) {
        let digest = HistoryDigest.of(entry)
        let position = Int(entry.index) - 1
        if position < canonical.count {
            let known = canonical[position]
            if known.term != entry.term || known.contentDigest != digest {
                fail("committed entry \(entry.index) changed: canonical term \(known.term), \(node) has term \(entry.term)")
            }
            return
        }
        guard position == canonical.count else {
            fail("\(node) committed \(entry.index) but the canonical chain ends at \(canonical.count)")
            return
        }
        var command: CounterCommand?
        var tookEffect = false
        if entry.kind == .normal {
            let decoded = CounterCommand(decoding: entry.payload)
            command = decoded
            tookEffect = referenceSessions.insert(decoded.sessionKey).inserted
            if tookEffect {
                referenceCounter += decoded.delta
                firstEffectIndex[decoded.sessionKey] = entry.index
            }
        }
        referenceDigest = HistoryDigest.after(referenceDigest, index: entry.index, command: command, tookEffect: tookEffect)
        canonical.append(CanonicalEntry(term: entry.term, contentDigest: digest,
                                        counterAfter: referenceCounter, digestAfter: referenceDigest))
    }

    // MARK: Hooks from the shell

    /// Log matching, checked on everything a node asks to persist.
    func willPersist(_ ready: Ready, by replica: SimReplica) {
        guard let node = replica.node else { return }
        if let snapshot = ready.snapshot {
            guard snapshot.index <= LogIndex(canonical.count),
                  canonical[Int(snapshot.index) - 1].term == snapshot.term
            else {
                fail("\(replica.id) installs snapshot \(snapshot) that is not a canonical committed prefix")
                return
            }
        }
        guard let first = ready.entries.first else { return }
        guard var previousTerm = node.term(at: first.index - 1) else {
            fail("\(replica.id) persists entry \(first.index) without knowing the previous term")
            return
        }
        for entry in ready.entries {
            let identity = EntryIdentity(contentDigest: HistoryDigest.of(entry), previousTerm: previousTerm)
            let key = EntryKey(index: entry.index, term: entry.term)
            if let known = entryIdentities[key] {
                if known != identity {
                    fail("log matching: entry (\(entry.index), term \(entry.term)) on \(replica.id) differs from another log's")
                }
            } else {
                entryIdentities[key] = identity
            }
            previousTerm = entry.term
        }
    }

    /// Durable terms never decrease, across crashes too.
    func diskChanged(_ replica: SimReplica) {
        let slot = Int(replica.id.rawValue) - 1
        let term = replica.disk.hardState.term
        if term < durableTerm[slot] { fail("\(replica.id) durable term went back from \(durableTerm[slot]) to \(term)") }
        durableTerm[slot] = max(durableTerm[slot], term)
    }

    func restarted(_ replica: SimReplica) {
        guard let node = replica.node else { return }
        let slot = Int(replica.id.rawValue) - 1
        if node.term < durableTerm[slot] {
            fail("\(replica.id) restarted in term \(node.term) below its durable term \(durableTerm[slot])")
        }
        termSeen[slot] = node.term
        commitChecked[slot] = min(commitChecked[slot], node.commitIndex)
    }

    /// The replica's state machine after applying `entry` (or installing a snapshot through it)
    /// must equal the reference model at that index.
    func applied(through index: LogIndex, state: CounterState, by replica: SimReplica) {
        checkCommitted(replica)
        guard index >= 1, index <= LogIndex(canonical.count) else {
            fail("\(replica.id) applied \(index), which is not in the canonical chain (\(canonical.count))")
            return
        }
        let expected = canonical[Int(index) - 1]
        if state.counter != expected.counterAfter || state.digest != expected.digestAfter {
            fail("\(replica.id) state after \(index) is counter \(state.counter); the reference says \(expected.counterAfter)"
                + (state.digest != expected.digestAfter ? " and the command histories differ" : ""))
        }
    }

    func writeAcknowledged(_ command: CounterCommand, by replica: SimReplica) {
        checkCommitted(replica)
        guard let index = firstEffectIndex[command.sessionKey] else {
            fail("\(replica.id) acknowledged write \(command.client)/\(command.seq) that never took effect in the committed chain")
            return
        }
        acknowledgedWrites += 1
        maxAcknowledgedEffectIndex = max(maxAcknowledgedEffectIndex, index)
    }

    /// A lease read served `value` from state applied through `servedIndex`; it started when every
    /// write up to `requiredIndex` was acknowledged.
    func readServed(value: Int64, servedIndex: LogIndex, requiredIndex: LogIndex, by node: NodeID) {
        servedReads += 1
        if servedIndex < requiredIndex {
            fail("stale read on \(node): served state through \(servedIndex), but a write at \(requiredIndex) was acknowledged before the read started")
            return
        }
        let expected: Int64 = servedIndex == 0 ? 0 : canonical[Int(servedIndex) - 1].counterAfter
        if value != expected { fail("read on \(node) returned \(value); the counter at \(servedIndex) is \(expected)") }
    }

    // MARK: Phase ends

    /// Every canonical entry is on the disks of a quorum (a snapshot covering it counts).
    func checkDurability(_ replicas: [SimReplica]) {
        for index in 1..<(canonical.count + 1) {
            let term = canonical[index - 1].term
            var holders = 0
            for replica in replicas {
                let disk = replica.disk
                if LogIndex(index) <= disk.snapshot.index {
                    holders += 1
                } else {
                    let position = index - Int(disk.snapshot.index) - 1
                    if position < disk.entries.count && disk.entries[position].term == term { holders += 1 }
                }
            }
            if holders < quorum {
                fail("committed entry \(index) (term \(term)) is durable on only \(holders) disks")
                return
            }
        }
    }
}
