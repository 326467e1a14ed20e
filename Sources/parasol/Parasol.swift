import ArgumentParser
import Glibc

/// The `parasol` command: every operator and worker action on a Parasol cluster.
@main
struct Parasol: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parasol",
        abstract: "A replicated parameter server for training ML models.",
        subcommands: [
            ServerCommand.self, WorkerCommand.self, ClusterCommand.self, FailoverCommand.self, SnapshotCommand.self, HealthCommand.self, BenchCommand.self,
        ]
    )

    /// Tunes malloc before any thread starts, then runs the command.
    ///
    /// SIGPIPE is ignored: a reader that stops reading (`parasol bench | head`) must not kill a
    /// command that started server processes before it could stop them (they were left running);
    /// a write to a closed pipe fails with EPIPE instead, which output ignores.
    static func main() async {
        MallocTuning.apply()
        signal(SIGPIPE, SIG_IGN)
        await main(nil)
    }
}
