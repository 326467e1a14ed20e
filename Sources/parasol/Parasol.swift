import ArgumentParser

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
    static func main() async {
        MallocTuning.apply()
        await main(nil)
    }
}
