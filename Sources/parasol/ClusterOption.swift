import ArgumentParser
import ParasolConfig

/// `--cluster FILE`, shared by every command that talks to a cluster.
struct ClusterOption: ParsableArguments {
    @Option(name: .long, help: "The cluster file (YAML).")
    var cluster: String = "Cluster/local.yaml"

    func load() throws -> ClusterConfig {
        do {
            return try ClusterFile.load(path: cluster)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
