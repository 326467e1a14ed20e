/// Knobs of a client; the defaults suit a training job on a LAN.
public struct ClientOptions: Sendable {
    /// Identifies this client in the servers' exactly-once tables. Random by default; give a
    /// stable one only if a process must resume another's numbering (it must then also resume
    /// its sequence numbers, which this client does not persist).
    public var clientID: UInt64
    /// The cluster token, when the cluster has one.
    public var token: String
    /// How long one call (with all its retries) may take before it fails.
    public var callDeadlineSeconds: Double
    /// How long establishing one TCP connection (plus hello) may take.
    public var connectTimeoutSeconds: Double
    /// Upper bound of the pause between retries; pauses start at 10 ms and double, with jitter.
    /// 100 ms by default: during a failover the new primary appears within a few hundred
    /// milliseconds, and a longer pause would only add to the time a push waits.
    public var retryBackoffMaxSeconds: Double

    public init(
        clientID: UInt64 = UInt64.random(in: 1...UInt64.max), token: String = "",
        callDeadlineSeconds: Double = 30, connectTimeoutSeconds: Double = 2, retryBackoffMaxSeconds: Double = 0.1
    ) {
        self.clientID = clientID
        self.token = token
        self.callDeadlineSeconds = callDeadlineSeconds
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.retryBackoffMaxSeconds = retryBackoffMaxSeconds
    }
}
