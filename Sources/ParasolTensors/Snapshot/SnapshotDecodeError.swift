/// Why bytes are not a valid shard snapshot. Each case names the field at fault, so a damaged
/// file can be diagnosed from the message alone.
public enum SnapshotDecodeError: Error, Equatable, CustomStringConvertible {
    /// The first four bytes are not "PSNP".
    case badMagic(found: [UInt8])
    case unsupportedFormatVersion(found: UInt16, supported: UInt16)
    /// Header flag bits this version does not define.
    case unknownFlags(UInt16)
    /// A field, or a length-prefixed array, runs past the end of the bytes.
    case truncated(field: String, neededBytes: Int, remainingBytes: Int)
    /// A count larger than any state a shard may hold (`ShardLimits`).
    case overLimit(field: String, count: UInt64, limit: UInt64)
    /// An enum tag with no meaning.
    case unknownTag(field: String, value: UInt8)
    /// A tensor name that is not valid UTF-8.
    case invalidUTF8(field: String)
    /// A tensor definition that `createTensor` would refuse; `reason` is the refusal.
    case invalidTensorDefinition(name: String, reason: String)
    /// A value that breaks an invariant of the layout (order, range, consistency).
    case invalidValue(field: String, reason: String)
    /// Bytes left over after the last tensor.
    case trailingBytes(count: Int)

    public var description: String {
        switch self {
        case .badMagic(let found):
            "not a shard snapshot: magic is \(found) instead of \"PSNP\""
        case let .unsupportedFormatVersion(found, supported):
            "snapshot format version \(found) is not supported (this build reads version \(supported))"
        case .unknownFlags(let flags):
            "snapshot header has unknown flag bits 0x\(String(flags, radix: 16))"
        case let .truncated(field, neededBytes, remainingBytes):
            "snapshot is truncated at \(field): needs \(neededBytes) bytes, \(remainingBytes) remain"
        case let .overLimit(field, count, limit):
            "snapshot \(field) is \(count), above the limit of \(limit)"
        case let .unknownTag(field, value):
            "snapshot \(field) has unknown tag \(value)"
        case .invalidUTF8(let field):
            "snapshot \(field) is not valid UTF-8"
        case let .invalidTensorDefinition(name, reason):
            "snapshot tensor '\(name)' has an invalid definition: \(reason)"
        case let .invalidValue(field, reason):
            "snapshot \(field) is invalid: \(reason)"
        case .trailingBytes(let count):
            "snapshot has \(count) bytes after its last tensor"
        }
    }
}
