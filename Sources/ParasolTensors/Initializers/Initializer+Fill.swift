import ParasolWire

extension Initializer {
    /// Writes the initial values of row `rowID` into `values` (which may be uninitialized).
    ///
    /// A dense tensor is row 0. The values depend only on the initializer and `rowID`, never on
    /// what was initialized before, so a sparse row comes out the same whichever order rows are
    /// first touched in, and a pull of an untouched row can compute it without storing it.
    /// Normal values come from Box-Muller pairs (cos for even positions, sin for odd ones).
    func fill(_ values: UnsafeMutableBufferPointer<Float>, rowID: UInt64) {
        switch self {
        case .zeros:
            values.initialize(repeating: 0)
        case .constant(let value):
            values.initialize(repeating: value)
        case let .uniform(low, high, seed):
            var generator = Xoshiro256StarStar(seed: seed, rowID: rowID)
            let span = high - low
            for index in values.indices {
                values[index] = low + span * generator.nextUnitFloat()
            }
        case let .normal(mean, stddev, seed):
            var generator = Xoshiro256StarStar(seed: seed, rowID: rowID)
            var index = values.startIndex
            while index < values.endIndex {
                let radius = (-2 * DeterministicMath.log(generator.nextOpenUnitDouble())).squareRoot()
                let angle = DeterministicMath.cosSinOfTurns(generator.nextUnitDouble())
                values[index] = mean + stddev * Float(radius * angle.cos)
                if index + 1 < values.endIndex {
                    values[index + 1] = mean + stddev * Float(radius * angle.sin)
                }
                index += 2
            }
        }
    }
}
