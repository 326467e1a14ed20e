import Foundation

/// Synthetic click-through-style data for sparse logistic regression, generated from a seed.
///
/// Every example has `fieldCount` categorical fields (think "site", "ad", "hour"). Field values
/// follow a skewed distribution over `vocabularySize` values — a few are common, most are rare, as
/// in real logs — and each (field, value) pair is hashed into one of `bucketCount` feature
/// buckets, the "hashing trick". A hidden weight per (field, value) plus `trueBias` gives the
/// label's log-odds, so a model that learns the bucket weights can approach the true model's
/// log-loss. Example `i` depends only on `(seed, i)`, so workers generate disjoint shares of one
/// global dataset without coordination.
struct SyntheticClickData: Sendable {
    let seed: UInt64
    let fieldCount: Int
    let vocabularySize: Int
    let bucketCount: Int
    /// Spread of the hidden weights; with 20 fields, 0.4 gives log-odds with stddev ≈ 1.8.
    let trueWeightStddev: Float = 0.4
    let trueBias: Float = -0.5

    /// Examples `range` of the global dataset: `range.count × fieldCount` bucket ids, one label each.
    func examples(_ range: Range<Int>) -> SparseExamples {
        var buckets = [UInt64]()
        buckets.reserveCapacity(range.count * fieldCount)
        var labels = [Float]()
        labels.reserveCapacity(range.count)
        var trueLogits = [Float]()
        trueLogits.reserveCapacity(range.count)
        for index in range {
            var generator = SplitMix64(seed: seed, stream: UInt64(index))
            var logit = trueBias
            for field in 0..<fieldCount {
                let uniform = generator.nextUnitFloat()
                let value = min(Int(uniform * uniform * Float(vocabularySize)), vocabularySize - 1)
                buckets.append(bucket(field: field, value: value))
                logit += trueWeight(field: field, value: value)
            }
            let probability = 1 / (1 + exp(-logit))
            labels.append(generator.nextUnitFloat() < probability ? 1 : 0)
            trueLogits.append(logit)
        }
        return SparseExamples(fieldCount: fieldCount, buckets: buckets, labels: labels, trueLogits: trueLogits)
    }

    func bucket(field: Int, value: Int) -> UInt64 {
        SplitMix64.mixing(SplitMix64.mixing(seed ^ 0xB0C4_E7, UInt64(field)), UInt64(value)) % UInt64(bucketCount)
    }

    func trueWeight(field: Int, value: Int) -> Float {
        var generator = SplitMix64(seed: seed ^ 0x7E_A1_3E, stream: UInt64(field) << 32 | UInt64(value))
        return generator.nextStandardNormal() * trueWeightStddev
    }
}

/// Examples of `SyntheticClickData`, flattened: example `i`'s buckets are
/// `buckets[i * fieldCount ..< (i + 1) * fieldCount]`.
struct SparseExamples: Sendable {
    let fieldCount: Int
    let buckets: [UInt64]
    /// 0 or 1.
    let labels: [Float]
    /// The hidden model's log-odds, for the best log-loss any model could reach.
    let trueLogits: [Float]

    var count: Int { labels.count }
}
