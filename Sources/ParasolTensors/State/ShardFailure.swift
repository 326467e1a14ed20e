import ParasolWire

/// The error replies a shard gives, in one place so that messages name the same things the same
/// way: the tensor, the shard, the numbers that do not fit.
enum ShardFailure {
    static func badRequest(_ message: String) -> ErrorReply {
        ErrorReply(code: .badRequest, message: message)
    }

    static func tooLarge(_ message: String) -> ErrorReply {
        ErrorReply(code: .tooLarge, message: message)
    }

    static func shapeMismatch(_ message: String) -> ErrorReply {
        ErrorReply(code: .shapeMismatch, message: message)
    }

    static func unknownTensor(_ name: String, shardID: UInt32) -> ErrorReply {
        ErrorReply(code: .unknownTensor, message: "no tensor named '\(name)' on shard \(shardID)")
    }

    static func wrongKind(_ name: String, is actual: TensorKind, request: String) -> ErrorReply {
        let needed: TensorKind = actual == .dense ? .sparse : .dense
        return ErrorReply(
            code: .shapeMismatch,
            message: "tensor '\(name)' is \(actual.label); \(request) needs a \(needed.label) tensor")
    }

    static func versionUnavailable(_ name: String, version: UInt64, minVersion: UInt64) -> ErrorReply {
        ErrorReply(
            code: .unavailable,
            message: "tensor '\(name)' is at version \(version); the request needs at least version \(minVersion)")
    }
}

extension TensorKind {
    var label: String {
        switch self {
        case .dense: "dense"
        case .sparse: "sparse"
        }
    }
}
