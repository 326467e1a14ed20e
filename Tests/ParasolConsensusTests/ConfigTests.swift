import Testing

@testable import ParasolConsensus

@Suite struct ConfigTests {
    static func valid() -> Config { Config(id: 1, peers: [1, 2, 3], randomSeed: 9) }

    @Test func defaultsAreValidAndMatchTheTenMillisecondTick() throws {
        let config = Self.valid()
        try config.validate()
        #expect(config.heartbeatTicks == 3)
        #expect(config.electionTicks == 15)
        #expect(config.preVote && config.checkQuorum)
        #expect(config.leaseDurationTicks == 12)
    }

    @Test func invalidConfigsAreRejectedWithTheirValue() {
        let cases: [((inout Config) -> Void, ConfigError)] = [
            ({ $0.id = 0 }, .zeroNodeID),
            ({ $0.peers = [] }, .emptyPeers),
            ({ $0.peers = [1, 0, 3] }, .zeroPeerID(position: 1)),
            ({ $0.peers = [1, 2, 2] }, .duplicatePeer(2)),
            ({ $0.peers = [2, 3] }, .selfNotInPeers(id: 1, peers: [2, 3])),
            ({ $0.heartbeatTicks = 0 }, .heartbeatTicksNotPositive(0)),
            ({ $0.electionTicks = 3 }, .electionTicksNotAboveHeartbeat(electionTicks: 3, heartbeatTicks: 3)),
            ({ $0.leaseSafetyMarginTicks = 15 }, .leaseMarginOutOfRange(marginTicks: 15, electionTicks: 15)),
            ({ $0.leaseSafetyMarginTicks = -1 }, .leaseMarginOutOfRange(marginTicks: -1, electionTicks: 15)),
            ({ $0.silenceTimeoutTicks = 14 }, .silenceTimeoutBelowElection(silenceTicks: 14, electionTicks: 15)),
            ({ $0.maxInflightMessages = 0 }, .inflightWindowNotPositive(0)),
            ({ $0.maxEntriesBytesPerMessage = 0 }, .messageBytesNotPositive(0)),
            ({ $0.maxUncommittedBytes = 0 }, .uncommittedBytesNotPositive(0)),
            ({ $0.snapshotTransferTimeoutTicks = 0 }, .snapshotTimeoutNotPositive(0)),
        ]
        for (breakIt, expected) in cases {
            var config = Self.valid()
            breakIt(&config)
            #expect(throws: expected) { try config.validate() }
            #expect(throws: RestoreError.invalidConfig(expected)) { try RaftNode(config: config) }
            #expect(!expected.description.isEmpty)
        }
    }
}
