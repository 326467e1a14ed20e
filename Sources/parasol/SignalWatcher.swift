import Dispatch
import Foundation
import Synchronization

/// Turns SIGINT/SIGTERM into a flag a polling loop reads, instead of killing the process, so a
/// supervisor can stop its children in order before it exits.
final class SignalWatcher: @unchecked Sendable {
    // @unchecked: `sources` is written once in init and only kept alive afterwards; the flag is atomic.
    private let firedFlag = Atomic<Bool>(false)
    private var sources: [any DispatchSourceSignal] = []

    init(signals: [Int32]) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in firedFlag.store(true, ordering: .releasing) }
            source.resume()
            sources.append(source)
        }
    }

    var fired: Bool { firedFlag.load(ordering: .acquiring) }
}
