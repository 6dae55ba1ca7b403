using System.Net.WebSockets;
using Akka.Actor;
using Akka.TestKit;
using ActorFeed.Testing.Fakes;
using ActorFeed.Messages;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>
/// Data truth on fakes: after an interruption each subscriber of a pair gets one <see cref="SubscriptionGap"/> with the
/// first tick after it, and <see cref="FeedStatus.StaleCodes"/> lists codes silent for much longer than their own pace
/// while the calendar expects data (the pace runs on the feed's manual clock here).
/// </summary>
public sealed class GapAndStalenessSpec(ITestOutputHelper output) : FeedSpecBase(output)
{
    [Fact]
    public void Gap_must_reach_each_subscriber_once_with_the_first_tick_after_a_server_close_and_replay()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        SubscribeConfirmed(feed, t1, a, "005930");
        feed.Tell(new Subscribe("005930", "0B", b));
        b.ExpectMsg(new SubscriptionConfirmed("005930", "0B"));

        t1.Push(Trade("005930", cumulative: 1000, volume: "+10"));
        var before = a.ExpectMsg<Tick>();
        b.ExpectMsg<Tick>();

        t1.ServerClose(WebSocketCloseStatus.NormalClosure, "bye");
        var decision = ExpectDecision(FeedComponent.Connection);
        Scheduler.Advance(decision.Delay);
        var (t2, _) = AcceptConnection();
        Assert.Equal(["005930"], Items(ExpectSent(t2, "REG")));
        t2.Push(RegOk);
        a.ExpectNoMsg(Quiet);                                                 // confirmed again silently, and no gap before a tick
        b.ExpectNoMsg(TimeSpan.Zero);

        t2.Push(Trade("005930", cumulative: 1500, volume: "-20"));
        foreach (var probe in new[] { a, b })
        {
            var gap = probe.ExpectMsg<SubscriptionGap>();                      // before the tick that ends it
            var after = probe.ExpectMsg<Tick>();
            Assert.Equal(("005930", "0B"), (gap.Code, gap.Type));
            Assert.Equal(before.ReceivedAt, gap.From);
            Assert.Equal(after.ReceivedAt, gap.To);
            Assert.Equal(FeedFailureException.Causes.ServerClosed, gap.Cause);
            Assert.Equal(1500 - 1000 - 20, gap.MissedVolume);
        }

        t2.Push(Trade("005930", cumulative: 1530, volume: "+30"));
        Assert.IsType<Tick>(a.ReceiveOne(TimeSpan.FromSeconds(3)));            // exactly one gap: the next tick comes alone
        Assert.IsType<Tick>(b.ReceiveOne(TimeSpan.FromSeconds(3)));
        a.ExpectNoMsg(Quiet);
        b.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public async Task Gap_must_follow_the_data_watchdogs_re_registration_on_the_same_link_with_cause_no_data()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var probe = CreateTestProbe();
        SubscribeConfirmed(feed, t, probe, "005930");
        t.Push(Trade("005930", cumulative: 1000, volume: "+10"));
        var before = probe.ExpectMsg<Tick>();

        // what the data watchdog publishes on the EventStream from within the connection actor (so with it as the
        // sender) before it registers the confirmed items again; from anyone else it is ignored
        var decision = new SupervisionDecision(FeedComponent.Connection, "no data", FailureKind.Transient, 0, TimeSpan.Zero,
            Time.GetUtcNow(), "no REAL frame for 00:01:00 while data was expected; REG of 1 confirmed item(s) again");
        var connection = await Sys.ActorSelection("/user/actorfeed/connection/connection").ResolveOne(TimeSpan.FromSeconds(3));
        Sys.EventStream.Publish(decision);                                    // no sender: not our connection's
        feed.Tell(GetFeedStatus.Instance);
        ExpectMsg<FeedStatus>();
        t.Push(Trade("005930", cumulative: 1010, volume: "+10"));
        before = probe.ExpectMsg<Tick>();                                     // no gap
        feed.Tell(decision, connection);
        feed.Tell(GetFeedStatus.Instance);                                    // queued behind the decision: handled once answered
        Assert.Equal(FeedState.Connected, ExpectMsg<FeedStatus>().State);
        probe.ExpectNoMsg(Quiet);

        t.Push(Trade("005930", cumulative: 1300, volume: "+100"));
        var gap = probe.ExpectMsg<SubscriptionGap>();
        Assert.Equal(("no data", before.ReceivedAt, 1300 - 1010 - 100L), (gap.Cause, gap.From, gap.MissedVolume));
        Assert.Equal(gap.To, probe.ExpectMsg<Tick>().ReceivedAt);
    }

    [Fact]
    public void Gap_must_not_be_sent_for_a_first_subscription_even_one_requested_while_the_link_was_down()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var probe = CreateTestProbe();
        t1.ServerClose(WebSocketCloseStatus.NormalClosure);
        var decision = ExpectDecision(FeedComponent.Connection);
        feed.Tell(new Subscribe("005930", "0B", probe));                      // wanted while down: never confirmed yet
        Scheduler.Advance(decision.Delay);
        var (t2, _) = AcceptConnection();
        ExpectSent(t2, "REG");
        t2.Push(RegOk);
        probe.ExpectMsg(new SubscriptionConfirmed("005930", "0B"));
        t2.Push(Trade("005930", cumulative: 10, volume: "+10"));
        Assert.IsType<Tick>(probe.ReceiveOne(TimeSpan.FromSeconds(3)));
        probe.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Gap_must_start_at_the_confirmation_with_unknown_volume_when_no_tick_came_before_the_interruption()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var probe = CreateTestProbe();
        var confirmedAt = Time.GetUtcNow();
        SubscribeConfirmed(feed, t1, probe, "005930");
        Time.Advance(TimeSpan.FromSeconds(5));

        t1.Fail(new WebSocketException("reset"));
        var decision = ExpectDecision(FeedComponent.Connection);
        Scheduler.Advance(decision.Delay);
        var (t2, _) = AcceptConnection();
        ExpectSent(t2, "REG");
        t2.Push(RegOk);
        t2.Push(Trade("005930", cumulative: 1500, volume: "-20"));
        var gap = probe.ExpectMsg<SubscriptionGap>();
        Assert.Equal(confirmedAt, gap.From);
        Assert.Equal(decision.Cause, gap.Cause);
        Assert.Null(gap.MissedVolume);
        probe.ExpectMsg<Tick>();
    }

    [Fact]
    public void Status_must_list_a_code_that_ticked_fast_and_stopped_as_stale_after_the_floor_and_not_one_whose_pace_is_unknown()
    {
        Settings = Settings with { StaleFloor = TimeSpan.FromSeconds(5) };
        var (feed, probe, _) = TickedEvery100MsThenStopped();

        Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(Status(feed).StaleCodes);                                // silent exactly the floor: not yet
        Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(["005930"], Status(feed).StaleCodes);                     // 000660 never ticked: its pace is unknown

        feed.Tell(new Unsubscribe("005930", "0B", probe));
        probe.FishForMessage(m => m is SubscriptionRemoved);
        Assert.Empty(Status(feed).StaleCodes);                                // a code nobody wants is not judged
    }

    [Fact]
    public void Status_must_list_no_stale_code_while_the_calendar_says_the_market_is_closed()
    {
        Settings = Settings with { StaleFloor = TimeSpan.FromSeconds(5), MarketCalendar = "krx" };
        var (feed, _, _) = TickedEvery100MsThenStopped();                          // Saturday 2026-11-28, 09:00 KST

        Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(Status(feed).StaleCodes);                                // weekend: silence is normal

        Time.Advance(new DateTimeOffset(2026, 11, 30, 9, 30, 0, MarketCalendar.Kst) - Time.GetUtcNow());
        Assert.Equal(["005930"], Status(feed).StaleCodes);                     // Monday 09:30 KST: the market is open
    }

    [Fact]
    public void Status_must_keep_a_stale_code_stale_when_only_a_VI_event_of_it_arrives()
    {
        Settings = Settings with { StaleFloor = TimeSpan.FromSeconds(5) };
        var (feed, probe, t) = TickedEvery100MsThenStopped();
        feed.Tell(new Subscribe("005930", "1h", probe));                      // VI start / stop of the same code
        Assert.Equal(["005930"], Items(ExpectSent(t, "REG")));
        t.Push(RegOk);
        probe.ExpectMsg(new SubscriptionConfirmed("005930", "1h"));

        Time.Advance(TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(1));
        Assert.Equal(["005930"], Status(feed).StaleCodes);
        var staleAfter = Stats(feed).StaleAfter;

        t.Push(Vi("005930"));
        Assert.Equal("1h", probe.ExpectMsg<Tick>().Type);                     // delivered: the route has seen it
        Assert.Equal(["005930"], Status(feed).StaleCodes);                     // an event is no sign of market data
        var stats = Stats(feed);
        Assert.Equal(TimeSpan.FromMilliseconds(5001), stats.Silent);            // still silent since the last trade
        Assert.Equal(staleAfter, stats.StaleAfter);                            // and it taught no pace

        Time.Advance(TimeSpan.FromMilliseconds(100));
        t.Push(Trade("005930", cumulative: 70, volume: "+10"));
        Assert.Equal("0B", probe.ExpectMsg<Tick>().Type);
        Assert.Empty(Status(feed).StaleCodes);                                // a trade is
    }

    private SubscriptionStat Stats(IActorRef feed)
    {
        feed.Tell(GetSubscriptionStats.Instance);
        return ExpectMsg<SubscriptionStats>().Subscriptions.Single(p => p.Code == "005930" && p.Type == "0B");
    }

    private static string Vi(string code) =>
        "{\"trnm\":\"REAL\",\"data\":[{\"type\":\"1h\",\"name\":\"VI발동/해제\",\"item\":\"" + code + "\",\"values\":{\"9068\":\"1\"}}]}";

    /// <summary>Two codes confirmed; 005930 ticks 6 times 100 ms apart on the manual clock, 000660 never.</summary>
    private (IActorRef Feed, TestProbe Probe, FakeTransport Transport) TickedEvery100MsThenStopped()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var probe = CreateTestProbe();
        SubscribeConfirmed(feed, t, probe, "005930");
        SubscribeConfirmed(feed, t, probe, "000660");
        for (var i = 0; i < 6; i++)
        {
            if (i > 0) Time.Advance(TimeSpan.FromMilliseconds(100));
            t.Push(Trade("005930", cumulative: 10 * (i + 1), volume: "+10"));
            probe.ExpectMsg<Tick>();                                          // delivered (and timed) before the clock moves
        }
        Assert.Empty(Status(feed).StaleCodes);
        return (feed, probe, t);
    }

    private FeedStatus Status(IActorRef feed)
    {
        feed.Tell(GetFeedStatus.Instance);
        return ExpectMsg<FeedStatus>();
    }

    private static string Trade(string code, long cumulative, string volume) =>
        "{\"trnm\":\"REAL\",\"data\":[{\"type\":\"0B\",\"name\":\"주식체결\",\"item\":\"" + code
        + "\",\"values\":{\"20\":\"165208\",\"10\":\"-20800\",\"13\":\"" + cumulative + "\",\"15\":\"" + volume + "\"}}]}";
}
