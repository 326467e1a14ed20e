/// The version a node reports in `GET /health`, so `parasol health` can show mixed versions
/// during a rolling upgrade.
public enum ServerVersion {
    public static let current = "0.1.0"
}
