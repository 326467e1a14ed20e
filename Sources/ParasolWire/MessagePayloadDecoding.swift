import NIOCore

extension PayloadReader {
    /// Reads the whole payload as a message of `type` (the mirror of `writeWirePayload(of:)`)
    /// and fails if any byte is left over.
    mutating func readMessage() throws(WireError) -> Message {
        let message = try readFields()
        try expectEnd()
        return message
    }

    private mutating func readFields() throws(WireError) -> Message {
        switch type {
        case .hello:
            return .hello(Hello(
                minVersion: try readU8("minVersion"),
                maxVersion: try readU8("maxVersion"),
                clientID: try readU64("clientID"),
                token: try readString("token")))
        case .createTensor:
            return .createTensor(CreateTensor(
                name: try readString("name"),
                kind: try readKind("kind"),
                shape: try readU64Array("shape"),
                initializer: try readInitializer("initializer"),
                optimizer: try readOptimizer("optimizer"),
                ifNotExists: try readBool("ifNotExists")))
        case .pushDense:
            return .pushDense(PushDense(
                id: try readPushID(),
                name: try readString("name"),
                offset: try readU64("offset"),
                gradient: try readFloats("gradient")))
        case .pullDense:
            return .pullDense(PullDense(
                name: try readString("name"),
                offset: try readU64("offset"),
                count: try readU64("count"),
                minVersion: try readU64("minVersion")))
        case .pushSparse:
            return .pushSparse(PushSparse(
                id: try readPushID(),
                name: try readString("name"),
                rowIDs: try readU64Array("rowIDs"),
                gradients: try readFloats("gradients")))
        case .pullSparse:
            return .pullSparse(PullSparse(
                name: try readString("name"),
                rowIDs: try readU64Array("rowIDs"),
                minVersion: try readU64("minVersion")))
        case .describeTensor:
            return .describeTensor(DescribeTensor(name: try readString("name")))
        case .shardMapRequest:
            return .shardMapRequest
        case .snapshotRequest:
            return .snapshotRequest
        case .helloReply:
            return .helloReply(HelloReply(
                version: try readU8("version"),
                nodeID: try readString("nodeID"),
                maxFrameBytes: try readU32("maxFrameBytes")))
        case .tensorCreated:
            return .tensorCreated(TensorCreated(version: try readU64("version"), created: try readBool("created")))
        case .pushAck:
            return .pushAck(PushAck(version: try readU64("version"), duplicate: try readBool("duplicate")))
        case .denseData:
            return .denseData(DenseData(
                version: try readU64("version"),
                offset: try readU64("offset"),
                values: try readFloats("values")))
        case .sparseData:
            return .sparseData(SparseData(
                version: try readU64("version"),
                rowDimension: try readU32("rowDimension"),
                rows: try readFloats("rows")))
        case .tensorInfo:
            return .tensorInfo(TensorInfo(
                name: try readString("name"),
                kind: try readKind("kind"),
                shape: try readU64Array("shape"),
                version: try readU64("version"),
                optimizer: try readOptimizer("optimizer")))
        case .shardMap:
            return .shardMap(try readShardMap())
        case .snapshotTaken:
            return .snapshotTaken(SnapshotTaken(index: try readU64("index"), bytes: try readU64("bytes")))
        case .error:
            return .error(try readErrorReply())
        case .raftMessages:
            return .raftMessages(try readRaftBatch())
        case .snapshotChunk:
            return .snapshotChunk(try readSnapshotChunk())
        case .snapshotChunkAck:
            return .snapshotChunkAck(try readSnapshotChunkAck())
        case .transferLeadership:
            return .transferLeadership(TransferLeadership(target: try readString("target"), timeoutMillis: try readU32("timeoutMillis")))
        case .leadershipTransferred:
            return .leadershipTransferred(LeadershipTransferred(
                previousPrimary: try readString("previousPrimary"),
                newPrimary: try readString("newPrimary"),
                term: try readU64("term"),
                elapsedMicros: try readU64("elapsedMicros")))
        }
    }

    private mutating func readShardMap() throws(WireError) -> ShardMap {
        let epoch = try readU64("epoch")
        // Smallest entry: shard id (4) and two empty strings (4 + 4).
        let count = try readCount("shards", elementBytesMin: 12)
        var entries: [ShardMap.Entry] = []
        entries.reserveCapacity(count)
        for index in 0..<count {
            entries.append(ShardMap.Entry(
                shardID: try readU32("shards[\(index)].shardID"),
                primaryNodeID: try readString("shards[\(index)].primaryNodeID"),
                primaryAddress: try readString("shards[\(index)].primaryAddress")))
        }
        return ShardMap(epoch: epoch, shards: entries)
    }

    private mutating func readErrorReply() throws(WireError) -> ErrorReply {
        let raw = try readU16("code")
        guard let code = ErrorCode(rawValue: raw) else {
            throw malformed("code \(raw) is not an error code of protocol version \(Frame.protocolVersion)")
        }
        return ErrorReply(code: code, message: try readString("message"), leaderHint: try readString("leaderHint"))
    }
}
