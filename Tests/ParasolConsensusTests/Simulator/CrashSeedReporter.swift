#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prints the seeds being simulated when the process dies on a trap (a `precondition` in the
/// core or the simulator), so even a crash names the seed that replays it.
///
/// Workers publish their current seed in a fixed table; the signal handler only reads that table
/// and writes preformatted bytes with `write(2)`, which is async-signal-safe.
enum CrashSeedReporter {
    static let slotCount = 64

    /// One slot per worker; 0 = idle. Written by its worker only, read only by the signal handler,
    /// which tolerates torn reads (the worst case is a wrong seed in a dying process's message).
    nonisolated(unsafe) private static let slots: UnsafeMutablePointer<UInt64> = {
        let pointer = UnsafeMutablePointer<UInt64>.allocate(capacity: slotCount)
        pointer.initialize(repeating: 0, count: slotCount)
        return pointer
    }()

    private static let installOnce: Void = {
        for signalNumber in [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS] {
            signal(signalNumber, crashHandler)
        }
    }()

    static func install() { _ = installOnce }

    static func publish(seed: UInt64, worker: Int) { slots[worker % slotCount] = seed }

    static func clear(worker: Int) { slots[worker % slotCount] = 0 }

    private static let crashHandler: @convention(c) (Int32) -> Void = { signalNumber in
        writeText("\n*** simulator crashed; seeds in flight:")
        for slot in 0..<CrashSeedReporter.slotCount where CrashSeedReporter.slots[slot] != 0 {
            writeText(" ")
            writeNumber(CrashSeedReporter.slots[slot])
        }
        writeText("\n*** replay one with: PARASOL_SIM_SEED=<seed> swift test -c release -Xswiftc -enable-testing --filter ParasolConsensusTests.SwarmTests\n")
        signal(signalNumber, SIG_DFL)
        raise(signalNumber)
    }

    private static func writeText(_ text: StaticString) {
        _ = write(2, text.utf8Start, text.utf8CodeUnitCount)
    }

    private static func writeNumber(_ value: UInt64) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
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
