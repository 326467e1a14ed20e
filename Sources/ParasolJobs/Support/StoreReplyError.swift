/// The parameter store answered with something the job cannot use — typically a tensor that
/// already existed under the same name with another size.
public enum StoreReplyError: Error, Equatable, CustomStringConvertible {
    case unexpectedSize(tensor: String, expectedFloats: Int, receivedFloats: Int)

    public var description: String {
        switch self {
        case let .unexpectedSize(tensor, expectedFloats, receivedFloats):
            "tensor \(tensor) returned \(receivedFloats) floats, expected \(expectedFloats)"
        }
    }

    static func check(_ values: [Float], tensor: String, expectedFloats: Int) throws(StoreReplyError) {
        guard values.count == expectedFloats else {
            throw .unexpectedSize(tensor: tensor, expectedFloats: expectedFloats, receivedFloats: values.count)
        }
    }
}
