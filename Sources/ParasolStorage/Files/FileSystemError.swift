import Glibc

/// A system call on a storage file failed. The message names the call, the file and the errno,
/// because "fdatasync failed" without the path is useless at 3 a.m.
public struct FileSystemError: Error, CustomStringConvertible, Equatable {
    /// The operation that failed, such as `fdatasync` or `rename`.
    public let operation: String
    /// The file or directory the operation was applied to.
    public let path: String
    /// The `errno` the call left behind.
    public let errnoCode: Int32

    public init(operation: String, path: String, errnoCode: Int32) {
        self.operation = operation
        self.path = path
        self.errnoCode = errnoCode
    }

    public var description: String {
        "\(operation) of \(path) failed: \(String(cString: strerror(errnoCode))) (errno \(errnoCode))"
    }
}
