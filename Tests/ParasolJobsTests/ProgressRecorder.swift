import Synchronization
import ParasolJobs

/// Collects progress callbacks, which arrive on the jobs' tasks.
final class ProgressRecorder: Sendable {
    private let entries = Mutex<[TrainingProgress]>([])

    var handler: TrainingProgressHandler {
        { progress in self.entries.withLock { $0.append(progress) } }
    }

    var recorded: [TrainingProgress] {
        entries.withLock { $0 }
    }
}
