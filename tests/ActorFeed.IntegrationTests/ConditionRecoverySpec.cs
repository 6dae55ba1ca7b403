using System.Diagnostics;
using Akka.Actor;
using Akka.TestKit;
using ActorFeed.IntegrationTests.Support;
using ActorFeed.Messages;
using ActorFeed.Simulator;
using Xunit.Abstractions;

namespace ActorFeed.IntegrationTests;

/// <summary>
/// Condition search (조건검색) through the real feed against the simulator: membership that changes while the link is down
/// is recovered once and marked, live changes are not, the subscriber's applied set always ends equal to the server's
/// membership; conditions with tick types drive ticks (and REMOVE leavers on the server, but not a pair the subscriber
/// also holds itself); the real-time cap; token expiry and R10001; a paged one-shot search. Every test ends by checking
/// the server's record: CNSRLST before any CNSRREQ on every connection, and no condition requested twice on one.
/// The simulator's automatic churn is off: only the specs change membership.
/// </summary>
public sealed class ConditionRecoverySpec(ITestOutputHelper output) : IntegrationSpec(output)
{
    /// <summary>The four default conditions and eight more ("4" to "11", two members each), so that 11 can be requested;
    /// pages of two members for the one-shot search.</summary>
    protected override SimulatorOptions SimulatorOptions
    {
        get
        {
            var o = base.SimulatorOptions;
            o.ConditionChangesPerMinute = 0;
            o.ConditionPageSize = 2;
            foreach (var i in Enumerable.Range(4, 8))
                o.Conditions.Add(new SimCondition(i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"조건{i}", [o.ConditionUniverse[i], o.ConditionUniverse[i + 1]]));
            return o;
        }
    }

    private IReadOnlyList<string> Members(string seq) => Sim.Record.ConditionMembers(seq)!;

    [Fact]
    public async Task Condition_must_recover_changes_made_during_a_drop_once_marked_and_end_with_the_servers_membership_and_its_ticks()
    {
        var feed = StartFeed();
        ExpectState(FeedState.Connected);
        var events = CreateTestProbe("condition-events");
        var subscriber = Sys.ActorOf(TickCollector.Props(events.Ref));
        feed.Tell(new Subscribe("005930", "0B", subscriber));                   // its own hold of a member: the condition must not end it
        await subscriber.Ask<TickCollector.AllConfirmed>(new TickCollector.AwaitConfirmed(["005930"]), Wait);

        feed.Tell(new SubscribeCondition(0, subscriber, TickTypes: ["0B"]));
        var snapshot = events.ExpectMsg<ConditionSnapshot>(Wait);
        Assert.Equal("골든크로스", snapshot.Name);
        Assert.Equal(Members("0"), snapshot.Codes.Order(StringComparer.Ordinal));
        var applied = new Applied(snapshot.Codes);
        await subscriber.Ask<TickCollector.AllConfirmed>(new TickCollector.AwaitConfirmed(snapshot.Codes), Wait);
        AwaitAllTicked(subscriber, snapshot.Codes.ToList(), Stopwatch.GetTimestamp());   // ticks for every member

        // live, before the drop: one counted leave and enter, and a member the subscriber also holds itself leaves
        var live1 = Sim.ChangeCondition("0", enter: 1, leave: 1).Concat(Sim.ChangeCondition("0", enter: null, leave: ["005930"])).ToList();
        Assert.Equal(3, live1.Count);
        var newMember = live1.Single(c => c.Entered).Code;
        var since = Stopwatch.GetTimestamp();
        applied.Take(events, live1, recovered: false);
        AwaitAllTicked(subscriber, [newMember], since);                         // ticks flow for the new member
        await Sim.Record.WaitUntilAsync(r => live1.Where(c => !c.Entered && c.Code != "005930")
            .All(c => LastSession(r).RemoveRequests.Contains(c.Code + "/0B")), Wait, "the leaver REMOVEd on the server");

        // the drop: no connection is accepted until the changes are made
        Sim.Faults.RefuseConnectionsUntil = DateTimeOffset.MaxValue;
        Assert.Equal(1, Sim.DropAllSessions());
        ExpectDecision(FeedComponent.Connection);
        await Sim.Record.WaitUntilAsync(r => r.Sessions.All(s => s.ClosedAt is not null), Wait, "the session closed");
        var down = Sim.ChangeCondition("0", enter: ["051910", "006400"], leave: [Members("0").First(c => c != newMember)]).ToList();
        Assert.Equal(3, down.Count);
        Sim.Faults.RefuseConnectionsUntil = DateTimeOffset.MinValue;
        ExpectState(FeedState.Connected);
        applied.Take(events, down, recovered: true);                           // each once, marked, found by the diff

        // live again once the condition is requested on the new connection
        await Sim.Record.WaitUntilAsync(r => LastSession(r).ActiveConditions.Contains("0"), Wait, "condition 0 active again");
        var live2 = Sim.ChangeCondition("0", enter: 1, leave: 1).ToList();
        applied.Take(events, live2, recovered: false);
        events.ExpectNoMsg(TimeSpan.FromMilliseconds(300));                    // nothing announced twice

        var final = Members("0");
        Assert.Equal(final, applied.Codes);                                     // the subscriber's set is the server's membership
        Assert.Equal(live1.Concat(down).Concat(live2).Select(c => c.Number),
            Sim.Record.ConditionChanges.Where(c => c.Seq == "0").Select(c => c.Number));   // and every change was announced

        // ticks: the server ends with exactly the members and the subscriber's own 005930 (the live leavers REMOVEd on the
        // connection they left on, the ones that left during the drop not kept on the new one); every one of them ticks,
        // the leavers do not
        var expected = final.Append("005930").Distinct().Select(c => c + "/0B").ToHashSet();
        await Sim.Record.WaitUntilAsync(r => LastSession(r).Registered.SetEquals(expected)
            && live2.Where(c => !c.Entered).All(c => LastSession(r).RemoveRequests.Contains(c.Code + "/0B")), Wait, "the members registered, the leavers REMOVEd");
        var leavers = live1.Concat(down).Concat(live2).Where(c => !c.Entered && !final.Contains(c.Code) && c.Code != "005930").Select(c => c.Code).Distinct().ToList();
        Assert.NotEmpty(leavers);
        var tickers = final.Append("005930").Distinct().ToList();
        AwaitAllTicked(subscriber, tickers, Stopwatch.GetTimestamp());
        var counts = await Counts();
        AwaitAllTicked(subscriber, tickers, Stopwatch.GetTimestamp());         // every member ticked once more...
        Assert.Equal(counts, await Counts());                                   // ...and no leaver did
        Sim.Record.Read(r =>
        {
            Assert.DoesNotContain(r.Sessions, s => s.RemoveRequests.Contains("005930/0B"));   // left the condition, still held by the subscriber
            Assert.Contains(live1.First(c => !c.Entered).Code + "/0B", r.Sessions.First(s => s.LoggedInAt is not null).RemoveRequests);
            return true;
        });
        AssertServerRegistrations(final.Append("005930").Distinct());
        AssertConditionRequests();

        async Task<List<long>> Counts()
        {
            var counts = new List<long>();
            foreach (var code in leavers) counts.Add(await subscriber.Ask<long>(new TickCollector.GetCodeCount(code), Wait));
            return counts;
        }
    }

    [Fact]
    public void The_eleventh_real_time_condition_must_be_rejected_with_the_reason_and_never_reach_the_server()
    {
        var feed = StartFeed();
        ExpectState(FeedState.Connected);
        for (var seq = 0; seq < 10; seq++)
        {
            feed.Tell(new SubscribeCondition(seq, TestActor));
            Assert.Equal(seq, ExpectMsg<ConditionSnapshot>(Wait).Seq);
        }
        feed.Tell(new SubscribeCondition(10, TestActor));
        var rejected = ExpectMsg<ConditionRejected>(Wait);
        Assert.Equal(10, rejected.Seq);
        Assert.Contains("at most 10 real-time conditions per session (actorfeed.conditions.max-realtime)", rejected.Reason);
        Assert.Contains("already following 0, 1, 2, 3, 4, 5, 6, 7, 8, 9", rejected.Reason);
        Sim.Record.Read(r =>
        {
            Assert.Equal(10, LastSession(r).ActiveConditions.Count);
            Assert.DoesNotContain(LastSession(r).ConditionRequests, q => q.Seq == "10");
            return true;
        });

        feed.Tell(new UnsubscribeCondition(3, TestActor));                       // one place free: the eleventh fits now
        ExpectMsg(new ConditionUnsubscribed(3), Wait);
        feed.Tell(new SubscribeCondition(10, TestActor));
        Assert.Equal(10, ExpectMsg<ConditionSnapshot>(Wait).Seq);
        AssertConditionRequests();
    }

    [Fact]
    public void The_servers_refusal_of_a_real_time_condition_over_its_cap_must_reject_it_with_the_servers_message()
    {
        var feed = StartFeed(FastSettings() with { ConditionsMaxRealtime = 11 });   // a server whose cap is lower than the setting
        ExpectState(FeedState.Connected);
        for (var seq = 0; seq < 10; seq++)
        {
            feed.Tell(new SubscribeCondition(seq, TestActor));
            Assert.Equal(seq, ExpectMsg<ConditionSnapshot>(Wait).Seq);
        }
        feed.Tell(new SubscribeCondition(10, TestActor));
        var rejected = ExpectMsg<ConditionRejected>(Wait);
        Assert.Equal(10, rejected.Seq);
        Assert.Contains("server refused CNSRREQ of condition 10 (search_type 1)", rejected.Reason);
        Assert.Contains("최대 10개", rejected.Reason);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        feed.Tell(GetFeedStatus.Instance);                                      // a refusal of one request: the link lives
        Assert.Equal(FeedState.Connected, ExpectMsg<FeedStatus>().State);
        AssertConnectionAttempts(1);
        AssertConditionRequests();
    }

    [Fact]
    public async Task Conditions_must_survive_every_token_expiring_like_tick_subscriptions()
    {
        var (feed, collector) = ConnectedWithTicks(["005930"]);
        var applied = FollowConditions(feed, 0, 1);
        var issued = Sim.Record.Read(r => r.TokensIssued);
        var t0 = Stopwatch.GetTimestamp();

        Sim.ExpireAllTokens();
        Assert.Equal(FeedFailureException.Causes.ServerClosed, ExpectDecision(FeedComponent.Connection).Cause);
        Assert.Equal(FeedFailureException.Causes.TokenRejected, ExpectDecision(FeedComponent.Connection).Cause);
        AwaitRecovered(collector, ["005930"], t0);
        Assert.Equal(issued + 1, Sim.Record.Read(r => r.TokensIssued));

        await AssertLiveAgain(applied, 0, 1);
        AssertServerRegistrations(["005930"]);
        AssertConditionRequests();
        AssertConnectionAttempts(3);                                           // first, with the expired token, with the new one
    }

    [Fact]
    public async Task Conditions_must_survive_a_duplicate_session_and_recover_the_changes_made_while_it_waited()
    {
        var settings = FastSettings();
        var (feed, collector) = ConnectedWithTicks(["005930"], settings);
        var applied = FollowConditions(feed, 0, 1);

        EventFilter.Error(contains: "another process uses this app key").ExpectOne(Wait, () => Sim.SimulateDuplicateLogin());
        Assert.Equal(FeedFailureException.Causes.DuplicateSession, ExpectState(FeedState.Failed).Cause);
        await Sim.Record.WaitUntilAsync(r => r.Sessions.All(s => s.ClosedAt is not null), Wait, "the session closed");
        var down = Sim.ChangeCondition("1", enter: 2, leave: 1);                  // the feed waits PermanentFailureBackoff (2 s) to reconnect
        ExpectState(FeedState.Connected, TimeSpan.FromSeconds(10));
        AwaitAllTicked(collector, ["005930"], Stopwatch.GetTimestamp());
        applied[1].Take(events: _conditionEvents!, down, recovered: true);

        await AssertLiveAgain(applied, 0, 1);
        AssertServerRegistrations(["005930"]);
        AssertConditionRequests();
        AssertConnectionAttempts(2);
    }

    [Fact]
    public void One_shot_search_must_follow_every_page_and_return_exactly_the_servers_members()
    {
        var feed = StartFeed();
        ExpectState(FeedState.Connected);
        Sim.ChangeCondition("0", enter: 2, leave: 0);                            // seven members: four pages of two
        var members = Members("0");
        Assert.Equal(7, members.Count);

        feed.Tell(new SearchCondition(0));
        var result = ExpectMsg<ConditionSearchResult>(Wait);
        Assert.Equal((0, "골든크로스"), (result.Seq, result.Name));
        Assert.Equal(members, result.Codes);                                    // every page, in the server's order, nothing twice
        Sim.Record.Read(r =>
        {
            var pages = LastSession(r).ConditionRequests.Where(q => q is { Trnm: "CNSRREQ", SearchType: "0", Seq: "0" }).ToList();
            Assert.Equal(4, pages.Count);
            Assert.Equal([null, members[1], members[3], members[5]], pages.Select(p => p.NextKey));
            Assert.Empty(LastSession(r).ActiveConditions);                       // a one-shot search follows nothing
            return true;
        });
        AssertConditionRequests();
    }

    // ---------------------------------------------------------------- helpers

    private TestProbe? _conditionEvents;

    /// <summary>Follows each of <paramref name="seqs"/> with one probe as subscriber and returns the applied set of each, from its snapshot.</summary>
    private Dictionary<int, Applied> FollowConditions(IActorRef feed, params int[] seqs)
    {
        _conditionEvents = CreateTestProbe("condition-events");
        var applied = new Dictionary<int, Applied>();
        foreach (var seq in seqs)
        {
            feed.Tell(new SubscribeCondition(seq, _conditionEvents.Ref));
            var snapshot = _conditionEvents.ExpectMsg<ConditionSnapshot>(Wait);
            Assert.Equal(seq, snapshot.Seq);
            applied[seq] = new Applied(snapshot.Codes, seq);
        }
        return applied;
    }

    /// <summary>After a reconnection: once the server has every condition active again, a change of each arrives live
    /// (not recovered) and nothing else comes (no second snapshot); each applied set equals the server's membership.</summary>
    private async Task AssertLiveAgain(Dictionary<int, Applied> applied, params int[] seqs)
    {
        var names = seqs.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        await Sim.Record.WaitUntilAsync(r => r.Sessions.Count(s => s.LoggedInAt is not null) > 1
            && names.All(LastSession(r).ActiveConditions.Contains), Wait, "the conditions active on the new session");
        foreach (var (seq, name) in seqs.Zip(names))
            applied[seq].Take(_conditionEvents!, Sim.ChangeCondition(name, enter: 1, leave: 1), recovered: false);
        _conditionEvents!.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        foreach (var (seq, name) in seqs.Zip(names)) Assert.Equal(Members(name), applied[seq].Codes);
    }

    private static SessionRecord LastSession(SimulatorRecord r) => r.Sessions.Last(s => s.LoggedInAt is not null);

    /// <summary>On every connection: CNSRLST came before every CNSRREQ / CNSRCLR, no condition was requested in real time
    /// twice without a CNSRCLR between, and no page of a one-shot search was asked twice.</summary>
    private void AssertConditionRequests() => Sim.Record.Read(r =>
    {
        foreach (var s in r.Sessions.Where(s => s.LoggedInAt is not null))
        {
            Assert.All(s.ConditionRequests, q => Assert.True(q.AfterList, $"session {s.Id}: {q.Trnm} {q.Seq} before any CNSRLST"));
            Assert.All(s.ConditionRequests, q => Assert.NotNull(q.ReturnCode));   // every one answered
            var active = new HashSet<string>(StringComparer.Ordinal);
            foreach (var q in s.ConditionRequests)
            {
                if (q is { Trnm: "CNSRREQ", SearchType: "1" }) Assert.True(active.Add(q.Seq), $"session {s.Id}: condition {q.Seq} requested twice");
                if (q.Trnm == "CNSRCLR") active.Remove(q.Seq);
            }
            var pages = s.ConditionRequests.Where(q => q is { Trnm: "CNSRREQ", SearchType: "0" }).Select(q => (q.Seq, q.NextKey)).ToList();
            Assert.Equal(pages.Count, pages.Distinct().Count());
        }
        return true;
    });

    /// <summary>A subscriber's view of one condition: the snapshot with every event applied, checked as it goes.</summary>
    private sealed class Applied(IEnumerable<string> snapshot, int seq = 0)
    {
        private readonly SortedSet<string> _codes = new(snapshot, StringComparer.Ordinal);

        public IReadOnlyList<string> Codes => [.. _codes];

        /// <summary>Expects one event per change in <paramref name="changes"/> (in any order: a recovery sends the leavers
        /// first), each with <paramref name="recovered"/>, and applies them.</summary>
        public void Take(TestProbe events, IReadOnlyList<Simulator.ConditionChange> changes, bool recovered)
        {
            var expected = changes.Select(c => (c.Code, c.Entered)).ToList();
            var got = new List<(string, bool)>();
            for (var i = 0; i < changes.Count; i++)
            {
                var e = events.ExpectMsg<ConditionEvent>(Wait);
                Assert.Equal(seq, e.Seq);
                switch (e)
                {
                    case ConditionEntered x:
                        Assert.Equal(recovered, x.Recovered);
                        Assert.True(_codes.Add(x.Code), $"{x.Code} entered {seq} while a member");
                        got.Add((x.Code, true));
                        break;
                    case ConditionLeft x:
                        Assert.Equal(recovered, x.Recovered);
                        Assert.True(_codes.Remove(x.Code), $"{x.Code} left {seq} while not a member");
                        got.Add((x.Code, false));
                        break;
                    default:
                        Assert.Fail($"unexpected {e}");
                        break;
                }
            }
            Assert.Equal(expected.Order(), got.Order());
        }
    }
}
