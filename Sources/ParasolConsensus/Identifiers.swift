/// The identity of one replica of a shard's consensus group.
///
/// Zero is reserved for "nobody" on the wire, so `Config.validate()` rejects it; inside the core
/// "no node" is always spelled `nil`, never `NodeID(0)`.
public struct NodeID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt64) { self.rawValue = value }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "n\(rawValue)" }
}

/// A Raft term: a logical clock that only moves forward; at most one leader per term.
/// Term 0 is "before any election" — no entry ever carries it.
public typealias Term = UInt64

/// A 1-based position in the replicated log. Index 0 is the empty prefix (term 0).
public typealias LogIndex = UInt64
