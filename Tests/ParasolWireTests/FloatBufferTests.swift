import NIOCore
import ParasolWire
import Testing

@Suite struct FloatBufferTests {
    static let values: [Float] = [0, 1, -1, 0.5, .pi, -.infinity, .leastNonzeroMagnitude, 123_456.78]

    @Test func writesLittleEndianFloat32() {
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        #expect(buffer.writeFloats([1.0, -2.5]) == 8)
        #expect(Array(buffer.readableBytesView) == [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0])
    }

    @Test func contiguousAndNonContiguousCollectionsWriteTheSameBytes() {
        let fromArray = ByteBuffer(floats: Self.values)
        #expect(ByteBuffer(floats: Self.values[2...]) == ByteBuffer(floats: Array(Self.values[2...])))
        #expect(ByteBuffer(floats: Self.values.lazy.map { $0 }) == fromArray)
        Self.values.withUnsafeBufferPointer { pointer in
            #expect(ByteBuffer(floats: pointer) == fromArray)
        }
    }

    @Test func readsBackWhatWasWritten() {
        var buffer = ByteBuffer(floats: Self.values)
        #expect(buffer.readableFloatCount == Self.values.count)
        #expect(buffer.readableFloats() == Self.values)
        #expect(buffer.readFloats(count: 3) == Array(Self.values[..<3]))
        #expect(buffer.readFloats(count: 6) == nil, "only 5 are left")
        #expect(buffer.readFloats(count: 5) == Array(Self.values[3...]))
        #expect(buffer.readableBytes == 0)
    }

    @Test func copiesIntoAnArraySlice() {
        let buffer = ByteBuffer(floats: [7, 8, 9])
        var target = [Float](repeating: 0, count: 5)
        target.withUnsafeMutableBufferPointer { pointer in
            buffer.copyReadableFloats(into: UnsafeMutableBufferPointer(rebasing: pointer[1..<4]))
        }
        #expect(target == [0, 7, 8, 9, 0])
    }

    @Test func viewsFloatsInPlaceWhenAlignedAndThroughACopyWhenNot() {
        let aligned = ByteBuffer(floats: Self.values)
        #expect(aligned.withUnsafeReadableFloats { Array($0) } == Self.values)
        let alignedAddress = aligned.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(aligned.withUnsafeReadableFloats { UInt(bitPattern: $0.baseAddress) } == alignedAddress, "aligned floats are not copied")

        var misaligned = ByteBufferAllocator().buffer(capacity: 0)
        misaligned.writeInteger(UInt8(0xAA))
        misaligned.writeFloats(Self.values)
        misaligned.moveReaderIndex(forwardBy: 1)
        #expect(misaligned.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) % 4 } != 0)
        #expect(misaligned.withUnsafeReadableFloats { Array($0) } == Self.values)
    }
}
