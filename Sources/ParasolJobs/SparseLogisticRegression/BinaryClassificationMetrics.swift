import Foundation

/// Quality measures of predicted probabilities against 0/1 labels.
enum BinaryClassificationMetrics {
    /// Probabilities are clamped to [ε, 1 − ε] so one confident mistake costs a lot but not infinity.
    static let probabilityEpsilon = 1e-7

    /// Mean negative log-likelihood (cross-entropy) of the labels.
    static func logLoss(probabilities: [Double], labels: [Float]) -> Double {
        precondition(probabilities.count == labels.count && !labels.isEmpty, "need one probability per label")
        var sum = 0.0
        for (probability, label) in zip(probabilities, labels) {
            let clamped = min(max(probability, probabilityEpsilon), 1 - probabilityEpsilon)
            sum -= label > 0.5 ? log(clamped) : log(1 - clamped)
        }
        return sum / Double(labels.count)
    }

    /// Fraction of examples on the right side of 0.5.
    static func accuracy(probabilities: [Double], labels: [Float]) -> Double {
        precondition(probabilities.count == labels.count && !labels.isEmpty, "need one probability per label")
        let correct = zip(probabilities, labels).count { ($0 >= 0.5) == ($1 > 0.5) }
        return Double(correct) / Double(labels.count)
    }

    /// Area under the ROC curve: the probability that a random positive scores above a random
    /// negative (ties count half), by the Mann–Whitney rank sum. Nil when one class is absent.
    static func areaUnderROC(scores: [Double], labels: [Float]) -> Double? {
        precondition(scores.count == labels.count, "need one score per label")
        let positives = labels.count { $0 > 0.5 }
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var positiveRankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] {
                end += 1
            }
            let averageRank = Double(start + end) / 2 + 1
            for position in start...end where labels[order[position]] > 0.5 {
                positiveRankSum += averageRank
            }
            start = end + 1
        }
        let p = Double(positives)
        return (positiveRankSum - p * (p + 1) / 2) / (p * Double(negatives))
    }
}
