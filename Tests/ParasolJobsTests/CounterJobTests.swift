import Testing
@testable import ParasolJobs

@Suite("CounterJob against the in-memory store")
struct CounterJobTests {
    @Test func everyAcknowledgedPushAddsOne() async throws {
        let store = InMemoryParameterStore()

        let report = try await CounterJob(count: 100, inFlight: 8).run(store: store)

        #expect(
            report == CounterReport(requested: 100, acknowledged: 100, failed: 0, initialValue: 0, value: 100, firstFailure: nil)
        )
        #expect(await store.pushesInFlightPeak <= 8)
    }

    @Test func failedPushesAreNotAcknowledged() async throws {
        let store = InMemoryParameterStore(failingPushes: [3, 50])

        let report = try await CounterJob(count: 60, inFlight: 4).run(store: store)

        #expect(report.acknowledged == 58 && report.failed == 2 && report.value == 58)
        #expect(report.firstFailure != nil)
    }

    @Test func countZeroOnlyReadsAndRunsAddUp() async throws {
        let store = InMemoryParameterStore()

        let empty = try await CounterJob(count: 0, inFlight: 1).run(store: store)
        _ = try await CounterJob(count: 5, inFlight: 1).run(store: store)
        let after = try await CounterJob(count: 0, inFlight: 3).run(store: store)

        #expect(empty == CounterReport(requested: 0, acknowledged: 0, failed: 0, initialValue: 0, value: 0, firstFailure: nil))
        #expect(after.initialValue == 5 && after.value == 5)
    }

    @Test func windowMustBePositive() {
        #expect(throws: JobOptionsError.tooSmall(option: "inFlight", value: 0, minimum: 1)) {
            try CounterJob(count: 1, inFlight: 0)
        }
    }
}
