/// The CRC a frame carries (header bytes 0..<24, then the payload, skipping the CRC field),
/// computed over a growing prefix of the frame.
///
/// The decoder extends it as a large frame arrives, so by the frame's last byte only the last
/// read is left to check: the rest was checked while the frame was still on the wire, not all
/// at once after it (a 4 MiB frame's checksum is a tenth of the time its transfer takes).
struct FrameChecksum {
    private(set) var crc: UInt32 = 0
    /// Bytes from the frame's start that `crc` covers: 0, or at least the whole header.
    private(set) var coveredBytes = 0

    /// Extends the checksum over the bytes of `framePrefix` (the frame from its first byte) that
    /// it does not cover yet. Nothing happens until the whole header is there.
    mutating func extend(over framePrefix: UnsafeRawBufferPointer) {
        if coveredBytes == 0 {
            guard framePrefix.count >= Frame.headerBytes else { return }
            crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: framePrefix[..<FrameHeader.crcCoveredBytes]))
            coveredBytes = Frame.headerBytes
        }
        guard framePrefix.count > coveredBytes else { return }
        crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: framePrefix[coveredBytes...]), seed: crc)
        coveredBytes = framePrefix.count
    }

    /// The checksum of a whole frame.
    static func of(frame: UnsafeRawBufferPointer) -> UInt32 {
        var checksum = FrameChecksum()
        checksum.extend(over: frame)
        return checksum.crc
    }
}
