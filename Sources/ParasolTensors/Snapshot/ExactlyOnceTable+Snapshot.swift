extension ExactlyOnceTable {
    /// Client count, then per client in ascending id order: id, floor, last active index,
    /// sequence count, and the applied sequences ascending.
    func encode(into writer: inout SnapshotWriter) {
        writer.write(UInt32(clients.count))
        for clientID in clients.keys.sorted() {
            let window = clients[clientID]!
            writer.write(clientID)
            writer.write(window.acknowledgedBelow)
            writer.write(window.lastActiveIndex)
            writer.write(UInt32(window.appliedSequences.count))
            writer.write(window.appliedSequences)
        }
    }

    /// `appliedIndex` stands in for the last active index of clients in a format-1 snapshot,
    /// which did not record it (their sessions then count from the snapshot).
    static func decode(from reader: inout SnapshotReader, formatVersion: UInt16, appliedIndex: UInt64) throws(SnapshotDecodeError) -> ExactlyOnceTable {
        let clientCount = try reader.readCount(UInt32.self, limit: ShardLimits.clientsMax, "client count")
        var clients: [UInt64: ClientWindow] = [:]
        var previousClient: UInt64?
        for position in 0..<clientCount {
            let clientID = try reader.read(UInt64.self, "client \(position) id")
            if let previousClient, clientID <= previousClient {
                throw .invalidValue(
                    field: "client \(position) id", reason: "client \(clientID) follows \(previousClient); ids must ascend strictly")
            }
            previousClient = clientID
            let label = "client \(clientID)"
            let floor = try reader.read(UInt64.self, "\(label) acknowledgedBelow")
            let lastActive = formatVersion >= 2 ? try reader.read(UInt64.self, "\(label) last active index") : appliedIndex
            guard lastActive <= appliedIndex else {
                throw .invalidValue(field: "\(label) last active index", reason: "\(lastActive) is beyond the applied index \(appliedIndex)")
            }
            let count = try reader.readCount(UInt32.self, limit: ShardLimits.clientWindowMax, "\(label) sequence count")
            let sequences = try reader.readUInt64s(count: count, "\(label) sequences")
            var previous: UInt64?
            for sequence in sequences {
                guard sequence >= floor else {
                    throw .invalidValue(field: "\(label) sequences", reason: "sequence \(sequence) is below the floor \(floor)")
                }
                if let previous, sequence <= previous {
                    throw .invalidValue(
                        field: "\(label) sequences", reason: "sequence \(sequence) follows \(previous); sequences must ascend strictly")
                }
                previous = sequence
            }
            clients[clientID] = ClientWindow(acknowledgedBelow: floor, appliedSequences: sequences, lastActiveIndex: lastActive)
        }
        return ExactlyOnceTable(clients: clients)
    }
}
