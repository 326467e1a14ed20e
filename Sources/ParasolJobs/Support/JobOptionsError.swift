/// A job's options make no sense; thrown before any tensor is created or any data is read.
public enum JobOptionsError: Error, Equatable, CustomStringConvertible {
    /// `rank` must lie in `0..<workers` and `workers` must be at least 1.
    case invalidRank(rank: Int, workers: Int)
    /// A count, size or interval that must be at least `minimum`.
    case tooSmall(option: String, value: Int, minimum: Int)
    /// A rate or probability outside the range it must lie in.
    case outOfRange(option: String, value: Double, range: ClosedRange<Double>)

    public var description: String {
        switch self {
        case let .invalidRank(rank, workers):
            "rank \(rank) is not in 0..<\(workers) (workers must be at least 1)"
        case let .tooSmall(option, value, minimum):
            "option \(option) is \(value) but must be at least \(minimum)"
        case let .outOfRange(option, value, range):
            "option \(option) is \(value) but must lie in \(range.lowerBound)...\(range.upperBound)"
        }
    }

    static func checkRank(_ rank: Int, workers: Int) throws(JobOptionsError) {
        guard workers >= 1, (0..<workers).contains(rank) else {
            throw .invalidRank(rank: rank, workers: workers)
        }
    }

    static func checkAtLeast(_ minimum: Int, _ value: Int, option: String) throws(JobOptionsError) {
        guard value >= minimum else { throw .tooSmall(option: option, value: value, minimum: minimum) }
    }

    static func checkWithin(_ range: ClosedRange<Double>, _ value: Double, option: String) throws(JobOptionsError) {
        guard range.contains(value) else { throw .outOfRange(option: option, value: value, range: range) }
    }
}
