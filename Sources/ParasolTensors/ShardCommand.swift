import ParasolWire

/// A state change of one shard: what a replicated log carries and `ShardState.apply` executes.
///
/// Reads (pulls, describe) are not commands: they change nothing, so they never enter the log.
public enum ShardCommand: Sendable {
    case createTensor(CreateTensor)
    case pushDense(PushDense)
    case pushSparse(PushSparse)
}
