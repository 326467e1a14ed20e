import NIOCore
import ParasolWire

/// Protocols/wire.md written a second time, as data: every message as the list of its fields.
///
/// A deliberately dumb encoder turns the list into bytes; tests require `FrameCodec` to produce
/// exactly those bytes, and the same rows render the field-by-field tables of
/// Protocols/vectors/README.md, so the documentation cannot drift from the code.
enum WireField {
    case u8(String, UInt8, note: String = "")
    case u16(String, UInt16, note: String = "")
    case u32(String, UInt32)
    case u64(String, UInt64)
    case f32(String, Float)
    case bool(String, Bool)
    case string(String, String)
    case count(String, Int)
    case floats(String, [Float])
    /// u32 byte length, then the bytes.
    case bytes(String, [UInt8])
}

/// One row of a vector's layout table.
struct LayoutRow: Equatable {
    var offset: Int
    var bytes: [UInt8]
    var field: String
    var value: String
}

enum ReferenceLayout {
    // MARK: Whole frames

    /// The bytes of `frame` and their layout rows, header first.
    static func encode(_ frame: Frame) -> (bytes: [UInt8], rows: [LayoutRow]) {
        let payload = encode(fields(of: frame.message), startingAt: Frame.headerBytes)
        let payloadBytes = payload.bytes.count - Frame.headerBytes
        let type = frame.message.type
        var header = ReferenceEncoder(startingAt: 0)
        header.raw("magic", Array("PRSL".utf8), value: "\"PRSL\"")
        header.append(.u8("version", 1))
        header.raw("message type", [type.rawValue], value: "\(type)")
        header.append(.u16("flags", frame.flags))
        header.append(.u64("request id", frame.requestID))
        header.append(.u32("shard id", frame.shardID))
        header.append(.u32("payload length", UInt32(payloadBytes)))
        let crc = CRC32C.checksum(Array(payload.bytes[Frame.headerBytes...]), seed: CRC32C.checksum(header.bytes))
        header.raw("crc32c", littleEndian(crc), value: "0x" + String(crc, radix: 16))
        return (header.bytes + payload.bytes[Frame.headerBytes...], header.rows + payload.rows)
    }

    /// A frame of `type` around arbitrary payload bytes with a correct CRC: how tests build
    /// frames whose payload is wrong on purpose.
    static func frame(type: UInt8, payload: [UInt8], requestID: UInt64 = 9, shardID: UInt32 = 0) -> [UInt8] {
        var header = Array("PRSL".utf8) + [1, type] + littleEndian(UInt16(0)) + littleEndian(requestID)
        header += littleEndian(shardID) + littleEndian(UInt32(payload.count))
        let crc = CRC32C.checksum(payload, seed: CRC32C.checksum(header))
        return header + littleEndian(crc) + payload
    }

    /// The payload alone (float blocks aligned relative to its first byte).
    static func payload(of message: Message) -> [UInt8] {
        encode(fields(of: message), startingAt: 0).bytes
    }

    private static func encode(_ fields: [WireField], startingAt offset: Int) -> ReferenceEncoder {
        var encoder = ReferenceEncoder(startingAt: offset)
        for field in fields { encoder.append(field) }
        return encoder
    }

    // MARK: Message layouts, as wire.md lists them

    static func fields(of message: Message) -> [WireField] {
        switch message {
        case .hello(let hello):
            return [.u8("minVersion", hello.minVersion), .u8("maxVersion", hello.maxVersion), .u64("clientID", hello.clientID), .string("token", hello.token)]
        case .createTensor(let create):
            return [.string("name", create.name), kind(create.kind), .count("shape", create.shape.count)]
                + create.shape.enumerated().map { .u64("shape[\($0.offset)]", $0.element) }
                + fields(of: create.initializer) + fields(of: create.optimizer) + [.bool("ifNotExists", create.ifNotExists)]
        case .pushDense(let push):
            return fields(of: push.id) + [.string("name", push.name), .u64("offset", push.offset), .floats("gradient", push.gradient.readableFloats())]
        case .pullDense(let pull):
            return [.string("name", pull.name), .u64("offset", pull.offset), .u64("count", pull.count), .u64("minVersion", pull.minVersion)]
        case .pushSparse(let push):
            return fields(of: push.id) + [.string("name", push.name)] + rowIDs(push.rowIDs) + [.floats("gradients", push.gradients.readableFloats())]
        case .pullSparse(let pull):
            return [.string("name", pull.name)] + rowIDs(pull.rowIDs) + [.u64("minVersion", pull.minVersion)]
        case .describeTensor(let describe):
            return [.string("name", describe.name)]
        case .shardMapRequest, .snapshotRequest:
            return []
        case .helloReply(let reply):
            return [.u8("version", reply.version), .string("nodeID", reply.nodeID), .u32("maxFrameBytes", reply.maxFrameBytes)]
        case .tensorCreated(let created):
            return [.u64("version", created.version), .bool("created", created.created)]
        case .pushAck(let ack):
            return [.u64("version", ack.version), .bool("duplicate", ack.duplicate)]
        case .denseData(let data):
            return [.u64("version", data.version), .u64("offset", data.offset), .floats("values", data.values.readableFloats())]
        case .sparseData(let data):
            return [.u64("version", data.version), .u32("rowDimension", data.rowDimension), .floats("rows", data.rows.readableFloats())]
        case .tensorInfo(let info):
            return [.string("name", info.name), kind(info.kind), .count("shape", info.shape.count)]
                + info.shape.enumerated().map { .u64("shape[\($0.offset)]", $0.element) }
                + [.u64("version", info.version)] + fields(of: info.optimizer)
        case .shardMap(let map):
            return [.u64("epoch", map.epoch), .count("shards", map.shards.count)]
                + map.shards.enumerated().flatMap { index, entry -> [WireField] in
                    [.u32("shards[\(index)].shardID", entry.shardID),
                     .string("shards[\(index)].primaryNodeID", entry.primaryNodeID),
                     .string("shards[\(index)].primaryAddress", entry.primaryAddress)]
                }
        case .snapshotTaken(let taken):
            return [.u64("index", taken.index), .u64("bytes", taken.bytes)]
        case .error(let error):
            return [.u16("code", error.code.rawValue, note: "\(error.code)"), .string("message", error.message), .string("leaderHint", error.leaderHint)]
        case .raftMessages(let batch):
            return fields(of: batch)
        case .snapshotChunk(let chunk):
            return fields(of: chunk)
        case .snapshotChunkAck(let ack):
            return fields(of: ack)
        case .transferLeadership(let transfer):
            return [.string("target", transfer.target), .u32("timeoutMillis", transfer.timeoutMillis)]
        case .leadershipTransferred(let transferred):
            return [.string("previousPrimary", transferred.previousPrimary), .string("newPrimary", transferred.newPrimary),
                    .u64("term", transferred.term), .u64("elapsedMicros", transferred.elapsedMicros)]
        }
    }

    private static func kind(_ kind: TensorKind) -> WireField {
        .u8("kind", kind.rawValue, note: kind == .dense ? "dense" : "sparse")
    }

    private static func rowIDs(_ ids: [UInt64]) -> [WireField] {
        [.count("rowIDs", ids.count)] + ids.enumerated().map { .u64("rowIDs[\($0.offset)]", $0.element) }
    }

    private static func fields(of id: PushID) -> [WireField] {
        [.u64("id.clientID", id.clientID), .u64("id.sequence", id.sequence), .u64("id.acknowledgedBelow", id.acknowledgedBelow)]
    }

    private static func fields(of initializer: Initializer) -> [WireField] {
        switch initializer {
        case .zeros:
            return [.u8("initializer tag", 0, note: "zeros")]
        case .constant(let value):
            return [.u8("initializer tag", 1, note: "constant"), .f32("initializer.value", value)]
        case .uniform(let low, let high, let seed):
            return [.u8("initializer tag", 2, note: "uniform"), .f32("initializer.low", low), .f32("initializer.high", high), .u64("initializer.seed", seed)]
        case .normal(let mean, let stddev, let seed):
            return [.u8("initializer tag", 3, note: "normal"), .f32("initializer.mean", mean), .f32("initializer.stddev", stddev), .u64("initializer.seed", seed)]
        }
    }

    private static func fields(of optimizer: OptimizerConfig) -> [WireField] {
        switch optimizer {
        case .sgd(let learningRate):
            return [.u8("optimizer tag", 0, note: "sgd"), .f32("optimizer.learningRate", learningRate)]
        case .momentum(let learningRate, let momentum, let nesterov):
            return [.u8("optimizer tag", 1, note: "momentum"), .f32("optimizer.learningRate", learningRate),
                    .f32("optimizer.momentum", momentum), .bool("optimizer.nesterov", nesterov)]
        case .adam(let learningRate, let beta1, let beta2, let epsilon):
            return [.u8("optimizer tag", 2, note: "adam"), .f32("optimizer.learningRate", learningRate), .f32("optimizer.beta1", beta1),
                    .f32("optimizer.beta2", beta2), .f32("optimizer.epsilon", epsilon)]
        case .adagrad(let learningRate, let initialAccumulator, let epsilon):
            return [.u8("optimizer tag", 3, note: "adagrad"), .f32("optimizer.learningRate", learningRate),
                    .f32("optimizer.initialAccumulator", initialAccumulator), .f32("optimizer.epsilon", epsilon)]
        }
    }
}

/// Appends fields byte by byte, the way wire.md describes them, recording a row per field.
struct ReferenceEncoder {
    /// Starts with `offset` placeholder bytes standing for what precedes these fields (the
    /// header), so that row offsets and float padding count from the frame start.
    private(set) var bytes: [UInt8]
    private(set) var rows: [LayoutRow] = []

    init(startingAt offset: Int) {
        bytes = Array(repeating: 0, count: offset)
    }

    mutating func raw(_ field: String, _ fieldBytes: [UInt8], value: String) {
        rows.append(LayoutRow(offset: bytes.count, bytes: fieldBytes, field: field, value: value))
        bytes += fieldBytes
    }

    mutating func append(_ field: WireField) {
        switch field {
        case .u8(let name, let value, let note):
            raw(name, [value], value: note.isEmpty ? "\(value)" : "\(value) (\(note))")
        case .u16(let name, let value, let note):
            raw(name, littleEndian(value), value: note.isEmpty ? "\(value)" : "\(value) (\(note))")
        case .u32(let name, let value):
            raw(name, littleEndian(value), value: "\(value)")
        case .u64(let name, let value):
            raw(name, littleEndian(value), value: "\(value)")
        case .f32(let name, let value):
            raw(name, littleEndian(value.bitPattern), value: "\(value)")
        case .bool(let name, let value):
            raw(name, [value ? 1 : 0], value: "\(value)")
        case .string(let name, let text):
            raw("\(name) length", littleEndian(UInt32(text.utf8.count)), value: "\(text.utf8.count)")
            if !text.isEmpty {
                raw(name, Array(text.utf8), value: "\"\(text)\"")
            }
        case .count(let name, let count):
            raw("\(name) count", littleEndian(UInt32(count)), value: "\(count)")
        case .bytes(let name, let data):
            raw("\(name) length", littleEndian(UInt32(data.count)), value: "\(data.count)")
            if !data.isEmpty {
                let printable = data.allSatisfy { (0x20..<0x7F).contains($0) && $0 != UInt8(ascii: "|") }
                raw(name, data, value: printable ? "\"\(String(decoding: data, as: UTF8.self))\"" : "\(data.count) bytes")
            }
        case .floats(let name, let values):
            raw("\(name) byte count", littleEndian(UInt32(values.count * 4)), value: "\(values.count * 4)")
            let padding = (4 - bytes.count % 4) % 4
            if padding > 0 {
                raw("padding", Array(repeating: 0, count: padding), value: "to a 4-byte boundary")
            }
            if !values.isEmpty {
                raw(name, values.flatMap { littleEndian($0.bitPattern) }, value: "\(values)")
            }
        }
    }
}

func littleEndian<Value: FixedWidthInteger>(_ value: Value) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}
