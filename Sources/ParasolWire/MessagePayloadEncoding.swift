import NIOCore

extension ByteBuffer {
    /// Appends `message`'s payload: its fields in the order `Message.swift` declares them, each
    /// in its wire encoding (Protocols/wire.md, "Messages"). Float blocks are aligned relative
    /// to the index where the payload starts.
    ///
    /// With a non-nil `deferred`, the float block that ends a push or a pull's answer, and large
    /// byte blocks that are buffers already (log entries, snapshot data), are written up to their
    /// bytes, which are appended to `deferred` instead, for the caller to copy once to where they
    /// go (or to hand to the socket as they are).
    mutating func writeWirePayload(of message: Message, deferringInto deferred: inout [DeferredBlock]?) {
        let alignmentOrigin = writerIndex
        switch message {
        case .hello(let hello):
            writeWireU8(hello.minVersion)
            writeWireU8(hello.maxVersion)
            writeWireU64(hello.clientID)
            writeWireString(hello.token)
        case .createTensor(let create):
            writeWireString(create.name)
            writeWireKind(create.kind)
            writeWireU64Array(create.shape)
            writeWireInitializer(create.initializer)
            writeWireOptimizer(create.optimizer)
            writeWireBool(create.ifNotExists)
        case .pushDense(let push):
            writeWirePushID(push.id)
            writeWireString(push.name)
            writeWireU64(push.offset)
            if deferred != nil {
                writeWireFloatsPrefix(push.gradient, alignmentOrigin: alignmentOrigin)
                deferred!.append(DeferredBlock(offset: writerIndex, bytes: push.gradient))
                return
            }
            writeWireFloats(push.gradient, alignmentOrigin: alignmentOrigin)
        case .pullDense(let pull):
            writeWireString(pull.name)
            writeWireU64(pull.offset)
            writeWireU64(pull.count)
            writeWireU64(pull.minVersion)
        case .pushSparse(let push):
            writeWirePushID(push.id)
            writeWireString(push.name)
            writeWireU64Array(push.rowIDs)
            if deferred != nil {
                writeWireFloatsPrefix(push.gradients, alignmentOrigin: alignmentOrigin)
                deferred!.append(DeferredBlock(offset: writerIndex, bytes: push.gradients))
                return
            }
            writeWireFloats(push.gradients, alignmentOrigin: alignmentOrigin)
        case .pullSparse(let pull):
            writeWireString(pull.name)
            writeWireU64Array(pull.rowIDs)
            writeWireU64(pull.minVersion)
        case .describeTensor(let describe):
            writeWireString(describe.name)
        case .shardMapRequest, .snapshotRequest:
            break
        case .helloReply(let reply):
            writeWireU8(reply.version)
            writeWireString(reply.nodeID)
            writeWireU32(reply.maxFrameBytes)
        case .tensorCreated(let created):
            writeWireU64(created.version)
            writeWireBool(created.created)
        case .pushAck(let ack):
            writeWireU64(ack.version)
            writeWireBool(ack.duplicate)
        case .denseData(let data):
            writeWireU64(data.version)
            writeWireU64(data.offset)
            if deferred != nil {
                writeWireFloatsPrefix(data.values, alignmentOrigin: alignmentOrigin)
                deferred!.append(DeferredBlock(offset: writerIndex, bytes: data.values))
                return
            }
            writeWireFloats(data.values, alignmentOrigin: alignmentOrigin)
        case .sparseData(let data):
            writeWireU64(data.version)
            writeWireU32(data.rowDimension)
            if deferred != nil {
                writeWireFloatsPrefix(data.rows, alignmentOrigin: alignmentOrigin)
                deferred!.append(DeferredBlock(offset: writerIndex, bytes: data.rows))
                return
            }
            writeWireFloats(data.rows, alignmentOrigin: alignmentOrigin)
        case .tensorInfo(let info):
            writeWireString(info.name)
            writeWireKind(info.kind)
            writeWireU64Array(info.shape)
            writeWireU64(info.version)
            writeWireOptimizer(info.optimizer)
        case .shardMap(let map):
            writeWireU64(map.epoch)
            writeWireCount(map.shards.count)
            for entry in map.shards {
                writeWireU32(entry.shardID)
                writeWireString(entry.primaryNodeID)
                writeWireString(entry.primaryAddress)
            }
        case .snapshotTaken(let taken):
            writeWireU64(taken.index)
            writeWireU64(taken.bytes)
        case .error(let error):
            writeWireU16(error.code.rawValue)
            writeWireString(error.message)
            writeWireString(error.leaderHint)
        case .raftMessages(let batch):
            writeWireRaftBatch(batch, deferringInto: &deferred)
        case .snapshotChunk(let chunk):
            writeWireSnapshotChunk(chunk, deferringInto: &deferred)
        case .snapshotChunkAck(let ack):
            writeWireSnapshotChunkAck(ack)
        case .transferLeadership(let transfer):
            writeWireString(transfer.target)
            writeWireU32(transfer.timeoutMillis)
        case .leadershipTransferred(let transferred):
            writeWireString(transferred.previousPrimary)
            writeWireString(transferred.newPrimary)
            writeWireU64(transferred.term)
            writeWireU64(transferred.elapsedMicros)
        }
    }
}
