#if _endian(big)
#error("ParasolTensors reads little-endian float32 gradients straight from memory; big-endian hosts need a byte swap")
#endif

/// The SIMD width the optimizer loops use: 8 lanes is one AVX register or two SSE/NEON ones.
typealias FloatVector = SIMD8<Float>

/// Unaligned vector and scalar access to float32 arrays. Gradients arrive as slices of a received
/// frame at any byte alignment and weights live in `[Float]` (4-byte aligned only), so every load
/// and store here is unaligned; on x86-64 and arm64 that costs nothing.
enum FloatAccess {
    @inline(__always)
    static func vector(_ base: UnsafeRawPointer, element: Int) -> FloatVector {
        base.loadUnaligned(fromByteOffset: element &* 4, as: FloatVector.self)
    }

    @inline(__always)
    static func store(_ value: FloatVector, _ base: UnsafeMutableRawPointer, element: Int) {
        base.storeBytes(of: value, toByteOffset: element &* 4, as: FloatVector.self)
    }

    @inline(__always)
    static func scalar(_ base: UnsafeRawPointer, element: Int) -> Float {
        base.loadUnaligned(fromByteOffset: element &* 4, as: Float.self)
    }
}
