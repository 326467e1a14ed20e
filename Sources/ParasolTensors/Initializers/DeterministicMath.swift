/// The logarithm, sine and cosine the normal initializer needs, written with nothing but IEEE
/// additions, multiplications and divisions in a fixed order.
///
/// Why not libm: `log`/`cos`/`sin` are not required to be correctly rounded, and different C
/// libraries (glibc versions, Darwin) may differ in the last bit. Replicas on different machines
/// must draw bit-identical initial weights, so the initializer cannot depend on them. Accuracy is
/// about 1e-15 relative, far finer than the float32 values drawn from them.
enum DeterministicMath {
    static let ln2 = 0.693_147_180_559_945_309_417_232_121_458_176_568
    static let squareRootOfTwo = 1.414_213_562_373_095_048_801_688_724_209_698_079

    /// The natural logarithm of a positive finite `x`.
    static func log(_ x: Double) -> Double {
        precondition(x > 0 && x.isFinite, "log is defined here only for positive finite values, got \(x)")
        // x = m · 2^e with m in [1/√2, √2), so that s = (m − 1)/(m + 1) stays within ±0.172.
        var exponent = Double(x.exponent)
        var mantissa = x.significand
        if mantissa > squareRootOfTwo {
            mantissa *= 0.5
            exponent += 1
        }
        // ln m = 2·atanh(s) = 2·(s + s³/3 + s⁵/5 + …); s²ᵏ/(2k+1) < 1e-18 by k = 11.
        let s = (mantissa - 1) / (mantissa + 1)
        let s2 = s * s
        var power = s
        var series = s
        for k in 1...11 {
            power *= s2
            series += power / Double(2 * k + 1)
        }
        return exponent * ln2 + 2 * series
    }

    /// cos(2πu) and sin(2πu) for any finite `u` ("u turns").
    static func cosSinOfTurns(_ u: Double) -> (cos: Double, sin: Double) {
        // Reduce in turns, where the reductions are exact: v in [−½, ½], r in [−⅛, ⅛].
        let v = u - u.rounded()
        let quadrant = (v * 4).rounded()
        let r = v - quadrant * 0.25
        let a = r * (2 * Double.pi)
        let a2 = a * a
        // Taylor series in Horner form, |a| ≤ π/4: the first omitted terms are below 1e-17.
        let sine = a * (1 - a2 / 6 * (1 - a2 / 20 * (1 - a2 / 42 * (1 - a2 / 72 * (1 - a2 / 110
            * (1 - a2 / 156 * (1 - a2 / 210 * (1 - a2 / 272))))))))
        let cosine = 1 - a2 / 2 * (1 - a2 / 12 * (1 - a2 / 30 * (1 - a2 / 56 * (1 - a2 / 90
            * (1 - a2 / 132 * (1 - a2 / 182 * (1 - a2 / 240)))))))
        switch Int(quadrant) {
        case 0: return (cosine, sine)
        case 1: return (-sine, cosine)
        case -1: return (sine, -cosine)
        default: return (-cosine, -sine)  // ±2: half a turn
        }
    }
}
