/// A wrong cluster file or a wrong reference into one. Every case names the file, the field and,
/// where the YAML parser knows it, the line, so an operator can fix it without guessing.
public enum ClusterConfigError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case syntax(path: String, line: Int, reason: String)
    case missingField(path: String, field: String, line: Int)
    case invalidField(path: String, field: String, line: Int, reason: String)
    case unknownField(path: String, field: String, line: Int)
    case unknownNode(id: String, known: [String])

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "cannot read cluster file \(path): \(reason)"
        case .syntax(let path, let line, let reason):
            return "\(path):\(line): not valid YAML: \(reason)"
        case .missingField(let path, let field, let line):
            return "\(path):\(line): missing required field '\(field)'"
        case .invalidField(let path, let field, let line, let reason):
            return "\(path):\(line): field '\(field)': \(reason)"
        case .unknownField(let path, let field, let line):
            return "\(path):\(line): unknown field '\(field)' (a typo?)"
        case .unknownNode(let id, let known):
            return "no node '\(id)' in the cluster file; it defines: \(known.joined(separator: ", "))"
        }
    }
}
