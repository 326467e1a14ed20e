#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prints the seeds being simulated when the process dies on a trap (a `precondition` in the
/// core or the simulator), so even a crash names the seed that replays it.
///
/// Workers publish their current seed in a fixed table; the signal handler only reads that table
/// and writes preformatted bytes with `write(2)`, then hands the signal to whatever handler was
/// installed before (the Swift runtime's backtracer, or the default action).
enum CrashSeedReporter {
    static let slotCount = 64
    private static let signals: [Int32] = [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS]

    /// One slot per worker; 0 = idle. Written by its worker only, read only by the signal handler,
    /// which tolerates torn reads (the worst case is a wrong seed in a dying process's message).
    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<UInt64> = {
        let pointer = UnsafeMutablePointer<UInt64>.allocate(capacity: slotCount)
        pointer.initialize(repeating: 0, count: slotCount)
        return pointer
    }()

    #if os(Linux)
    /// The actions replaced by `install()`, restored by the handler before the signal goes on.
    nonisolated(unsafe) private static let previousActions: UnsafeMutablePointer<sigaction> = {
        let pointer = UnsafeMutablePointer<sigaction>.allocate(capacity: 5)
        pointer.initialize(repeating: sigaction(), count: 5)
        return pointer
    }()

    private static let installOnce: Void = {
        for (position, signalNumber) in signals.enumerated() {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = crashHandler
            sigemptyset(&action.sa_mask)
            sigaction(signalNumber, &action, previousActions + position)
        }
    }()
    #else
    private static let installOnce: Void = ()
    #endif

    static func install() { _ = installOnce }

    static func publish(seed: UInt64, worker: Int) { slots[worker % slotCount] = seed }

    static func clear(worker: Int) { slots[worker % slotCount] = 0 }

    #if os(Linux)
    private static let crashHandler: @convention(c) (Int32) -> Void = { signalNumber in
        var anySeed = false
        for slot in 0..<CrashSeedReporter.slotCount where CrashSeedReporter.slots[slot] != 0 {
            if !anySeed { writeText("\n*** simulator crashed; seeds in flight:") }
            anySeed = true
            writeText(" ")
            writeNumber(CrashSeedReporter.slots[slot])
        }
        if anySeed {
            writeText("\n*** replay one with: PARASOL_SIM_SEED=<seed> swift test -c release -Xswiftc -enable-testing --filter ParasolConsensusTests.SwarmTests\n")
        }
        // Hand over: a trapping instruction traps again into the restored handler on return;
        // a trap that does not re-execute (SIGTRAP after int3) is raised again explicitly.
        for (position, number) in [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS].enumerated() where number == signalNumber {
            sigaction(signalNumber, CrashSeedReporter.previousActions + position, nil)
        }
        if signalNumber == SIGTRAP { raise(signalNumber) }
    }
    #endif

    private static func writeText(_ text: StaticString) {
        _ = write(2, text.utf8Start, text.utf8CodeUnitCount)
    }

    private static func writeNumber(_ value: UInt64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var remaining = value
            var position = buffer.count
            repeat {
                position -= 1
                buffer[position] = UInt8(48 + remaining % 10)
                remaining /= 10
            } while remaining > 0
            _ = write(2, buffer.baseAddress! + position, buffer.count - position)
        }
    }
}
