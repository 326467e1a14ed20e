import Testing
import ParasolWire
@testable import ParasolJobs

@Suite("FashionMNISTJob on the installed dataset, against the in-memory store")
struct FashionMNISTJobTests {
    @Test func twoWorkersPushingAsynchronouslyLowerTheLoss() async throws {
        let store = InMemoryParameterStore()
        let recorder = ProgressRecorder()
        func job(rank: Int) throws -> FashionMNISTJob {
            try FashionMNISTJob(
                options: .init(
                    rank: rank, workers: 2, epochs: 3, batchSize: 32, seed: 42, progressIntervalSteps: 4,
                    trainingExamplesLimit: 256, testExamplesLimit: 300, progress: recorder.handler
                )
            )
        }
        print("FashionMNISTJobTests seed 42")
        async let first = job(rank: 0).run(store: store)
        async let second = job(rank: 1).run(store: store)
        let reports = try await [first, second]

        for report in reports {
            #expect(report.steps == 3 * 8)
            #expect(report.trainingExamples == 256 && report.testExamples == 300)
            let history = report.lossHistory
            #expect(history.count == 6, "two intervals of 4 steps per epoch")
            #expect(history.last!.loss < history.first!.loss * 0.7, "loss did not fall: \(history.map(\.loss))")
            #expect(report.testAccuracy > 0.4, "chance is 0.1; 48 decaying Adam steps on 512 examples reach about 0.55")
            #expect(report.examplesPerSecond > 0 && report.computeExamplesPerSecond >= report.examplesPerSecond)
        }
        #expect(recorder.recorded.count == 12)
        #expect(Set(recorder.recorded.map(\.rank)) == [0, 1])
        #expect(await store.pushesApplied == 2 * 3 * 8 * 6, "six tensors pushed per step")
    }

    @Test func tensorDefinitionsAreIdenticalAcrossRanks() throws {
        let rank0 = FashionMNISTJob.Options(rank: 0, workers: 2, seed: 9).tensorDefinitions(shape: .fashionMNIST)
        let rank1 = FashionMNISTJob.Options(rank: 1, workers: 2, seed: 9).tensorDefinitions(shape: .fashionMNIST)

        #expect(rank0 == rank1)
        #expect(rank0.map(\.name) == ["mlp/w1", "mlp/b1", "mlp/w2", "mlp/b2", "mlp/w3", "mlp/b3"])
        #expect(rank0[0].shape == [784, 256] && rank0[1].shape == [256] && rank0[4].shape == [128, 10])
        #expect(rank0.allSatisfy { $0.ifNotExists && $0.kind == .dense })
        guard case let .normal(mean, stddev, _) = rank0[0].initializer else {
            Issue.record("w1 should be He-normal, is \(rank0[0].initializer)")
            return
        }
        #expect(mean == 0 && abs(stddev - (2 / 784 as Float).squareRoot()) < 1e-7)
    }

    @Test func nonsenseOptionsAreRejectedUpFront() {
        #expect(throws: JobOptionsError.invalidRank(rank: 2, workers: 2)) {
            try FashionMNISTJob(options: .init(rank: 2, workers: 2))
        }
        #expect(throws: JobOptionsError.tooSmall(option: "batchSize", value: 0, minimum: 1)) {
            try FashionMNISTJob(options: .init(batchSize: 0))
        }
    }

    @Test func nonFiniteLossStopsTheJobBeforeItPushes() async throws {
        let store = InMemoryParameterStore()
        let options = FashionMNISTJob.Options(epochs: 1, trainingExamplesLimit: 8, testExamplesLimit: 8, tensorPrefix: "poisoned")
        for definition in options.tensorDefinitions(shape: .fashionMNIST) {
            try await store.createTensor(definition)
        }
        try await store.pushDense("poisoned/b3", gradient: [Float](repeating: .nan, count: 10))
        let pushesBefore = await store.pushesApplied

        let error = await #expect(throws: TrainingError.self) { try await FashionMNISTJob(options: options).run(store: store) }

        guard case let .diverged(rank, step, loss)? = error else {
            Issue.record("expected diverged, got \(String(describing: error))")
            return
        }
        #expect(rank == 0 && step == 0 && loss.isNaN)
        #expect(await store.pushesApplied == pushesBefore)
    }

    @Test func aStoreTensorOfTheWrongSizeIsReported() async throws {
        let store = InMemoryParameterStore()
        try await store.createTensor(
            CreateTensor(name: "mlp/b1", kind: .dense, shape: [3], initializer: .zeros, optimizer: .sgd(learningRate: 1), ifNotExists: false)
        )
        let job = try FashionMNISTJob(options: .init(epochs: 1, trainingExamplesLimit: 8, testExamplesLimit: 8))

        await #expect(throws: InMemoryParameterStore.StoreError.definitionMismatch("mlp/b1")) {
            try await job.run(store: store)
        }
    }
}

@Suite("GradientDecay")
struct GradientDecayTests {
    @Test func cosineFallsFromOneTowardsZero() {
        let factors = (0..<100).map { GradientDecay.cosine.factor(step: $0, totalSteps: 100) }

        #expect(factors.first == 1)
        #expect(factors.last! < 0.001)
        #expect(abs(factors[50] - 0.5) < 1e-6)
        #expect(zip(factors, factors.dropFirst()).allSatisfy { $0 > $1 })
        #expect(GradientDecay.none.factor(step: 99, totalSteps: 100) == 1)
    }
}
