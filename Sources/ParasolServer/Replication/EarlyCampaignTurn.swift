import ParasolConsensus

/// One surviving replica's turn to campaign after its primary's connection broke, decided from
/// the replica's Raft state alone, so the rule can be tested without processes or clocks.
///
/// The survivors take turns in placement order instead of waiting for the silence timeout
/// (2–3 election timeouts): the first from the moment the primary is lost, each next one an
/// election timeout plus a quarter of one later per rank (an election takes a round trip and a
/// vote write, a few ms), so a quick election is not a split vote and a first survivor that
/// loses (its log missed the last entry) does not leave the shard waiting on silence. A turn
/// lasts two election timeouts.
struct EarlyCampaignTurn {
    let lostPrimary: NodeID
    let ticks: ClosedRange<UInt64>

    /// What the replica does on one tick of the clock.
    enum Step: Equatable {
        /// Not this replica's turn yet.
        case wait
        /// Campaign now (a pre-vote round; a no-op while leader stickiness still holds).
        case campaign
        /// The turn is over: a new primary is known, the replica voted for another candidate
        /// or became a candidate itself, or the turn ran out.
        case end
    }

    /// `rank` is the replica's place among the survivors, in placement order with the lost
    /// primary left out.
    init(lostPrimary: NodeID, rank: Int, now: UInt64, electionTicks: Int) {
        let election = UInt64(electionTicks)
        let first = now + (rank == 0 ? 0 : election + UInt64(rank) * max(1, election / 4))
        self.lostPrimary = lostPrimary
        self.ticks = first...(first + 2 * election)
    }

    /// The step at tick `now` for a replica in `role`, following `leader`, having voted for
    /// `vote` in its current term.
    ///
    /// While its turn lasts the replica campaigns on every tick, not once: the other survivors
    /// drop a pre-vote while they still count the lost primary's lease, and theirs can end a
    /// tick after this replica's (its last append reached them later, or their timer fires
    /// later). Without the retry that pre-vote went unanswered and the next survivor's turn,
    /// 30 ms later, decided a third of failovers. A vote for the lost primary itself (the
    /// usual vote in the term it led) does not end the turn; a vote for another survivor does,
    /// since a pre-vote must not disturb that candidate's election.
    func step(now: UInt64, selfID: NodeID, role: Role, leader: NodeID?, vote: NodeID?) -> Step {
        guard now >= ticks.lowerBound else { return .wait }
        guard role == .follower || role == .preCandidate, ticks.contains(now) else { return .end }
        guard leader == lostPrimary || leader == nil else { return .end }
        if let vote, vote != selfID, vote != lostPrimary { return .end }
        return .campaign
    }
}
