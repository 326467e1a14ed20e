import ParasolConsensus
import Testing

@testable import ParasolServer

/// The survivors of a lost primary campaign in turns; these pin down whose turn it is, that a
/// turn retries its pre-vote on every tick, and what ends a turn early.
@Suite struct EarlyCampaignTurnTests {
    private let lost = NodeID(1)
    private let me = NodeID(2)
    private let other = NodeID(3)
    private let electionTicks = 15

    private func turn(rank: Int, at now: UInt64 = 100) -> EarlyCampaignTurn {
        EarlyCampaignTurn(lostPrimary: lost, rank: rank, now: now, electionTicks: electionTicks)
    }

    @Test func theFirstSurvivorStartsAtOnceAndEachNextOneAQuarterElectionLater() {
        #expect(turn(rank: 0).ticks == 100...130)
        #expect(turn(rank: 1).ticks == 118...148)  // 100 + 15 + 1 × 3
        #expect(turn(rank: 2).ticks == 121...151)  // 100 + 15 + 2 × 3
        let second = turn(rank: 1)
        #expect(second.step(now: 117, selfID: me, role: .follower, leader: lost, vote: lost) == .wait)
        #expect(second.step(now: 118, selfID: me, role: .follower, leader: lost, vote: lost) == .campaign)
    }

    @Test func aTurnCampaignsOnEveryTickWhileNoOtherPrimaryIsKnown() {
        let first = turn(rank: 0)
        // Follower still naming the lost primary (stickiness), then a pre-candidate whose
        // pre-vote went unanswered: every tick of the turn is another attempt.
        for now in UInt64(100)...130 {
            #expect(first.step(now: now, selfID: me, role: .follower, leader: lost, vote: lost) == .campaign)
            #expect(first.step(now: now, selfID: me, role: .preCandidate, leader: nil, vote: lost) == .campaign)
            #expect(first.step(now: now, selfID: me, role: .preCandidate, leader: nil, vote: nil) == .campaign)
            #expect(first.step(now: now, selfID: me, role: .preCandidate, leader: nil, vote: me) == .campaign)
        }
        #expect(first.step(now: 131, selfID: me, role: .preCandidate, leader: nil, vote: nil) == .end)
    }

    @Test func aTurnEndsOnceAnotherPrimaryOrCandidateHasIt() {
        let first = turn(rank: 0)
        #expect(first.step(now: 105, selfID: me, role: .follower, leader: other, vote: nil) == .end)
        #expect(first.step(now: 105, selfID: me, role: .follower, leader: nil, vote: other) == .end)
        #expect(first.step(now: 105, selfID: me, role: .candidate, leader: nil, vote: me) == .end)
        #expect(first.step(now: 105, selfID: me, role: .leader, leader: me, vote: me) == .end)
    }
}
