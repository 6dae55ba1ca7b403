using Akka.Actor;
using Akka.TestKit;
using ActorFeed.Messages;
using ActorFeed.Testing.Fakes;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>
/// 0s session pushes refine the market calendar through the feed, on virtual time with the krx calendar: on a late
/// opening day (the calendar says 09:00, the exchange opens at 10:00) silence is normal until the open push, for the
/// data watchdog and for stale codes alike. data-timeout 20 s (a check every 5 s); the idle watchdog is out of the way;
/// the manual clock moves with the scheduler. Monday 2026-11-30, KST.
/// </summary>
public sealed class SessionPushSpec : FeedSpecBase
{
    private static readonly TimeSpan DataTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan CheckInterval = DataTimeout / 4;
    private const string StepOneLog = "Supervision: connection data stopped (no data); registering again";

    public SessionPushSpec(ITestOutputHelper output) : base(output)
    {
        Settings = Settings with
        {
            DataTimeout = DataTimeout, MarketCalendar = "krx", StaleFloor = TimeSpan.FromSeconds(5), IdleTimeout = TimeSpan.FromHours(2),
        };
        MoveClockTo("08:50:00");
    }

    [Fact]
    public void DataWatchdog_must_stay_quiet_after_the_calendars_open_while_a_0s_push_says_KRX_has_not_opened_and_judge_silence_again_after_the_open_push()
    {
        var (feed, t, sessions) = ConnectedWithPaceAndSessions();
        Assert.Equal("0", PushSession(t, sessions, "0", "KRX session: closed by 0s push (215=0) until an open push or end of day (2026-11-30 KST)")["215"]);

        MoveClockTo("09:00:00");                                              // the calendar's open: the exchange opens at 10:00 today
        AdvanceQuietly(3 * DataTimeout, feed);                                 // no REG, no restart, no stale code

        PushSession(t, sessions, "3", "KRX session: open by 0s push (215=3)");  // 09:01
        Assert.Equal(["005930"], Status(feed).StaleCodes);                     // silent since 08:50 while KRX trades: at once
        ExpectTwoStepRecovery(t, lastRealWasMarketData: false);               // the 0s push is an event, not data: silence counts from the open
    }

    [Fact]
    public void DataWatchdog_must_judge_silence_again_when_a_KRX_trade_proves_the_open_whose_push_was_missed()
    {
        var (feed, t, sessions) = ConnectedWithPaceAndSessions();
        PushSession(t, sessions, "0", "KRX session: closed by 0s push (215=0)");
        MoveClockTo("09:00:00");
        AdvanceQuietly(DataTimeout, feed);

        EventFilter.Info(start: "KRX session: open again: a KRX trade (005930) arrived during trading hours")
            .ExpectOne(() => t.Push(Real("005930")));                        // 09:00:20: the "3" push never came
        ExpectTwoStepRecovery(t);
    }

    [Fact]
    public void DataWatchdog_must_ignore_a_0s_value_that_is_not_in_the_table_and_Nextrade_codes_must_keep_the_clock()
    {
        var (feed, t, sessions) = ConnectedWithPaceAndSessions();
        t.Push(SessionPush("Z"));                                             // an independent server's own value
        Assert.Equal("Z", sessions.ExpectMsg<Tick>()["215"]);                 // reaches the 0s subscriber as any tick
        SyncWithConnection();                                                 // the link lives on; a log line would be out by now
        Assert.DoesNotContain(Logs.Snapshot(this), line => line.Contains("KRX session", StringComparison.Ordinal));
        MoveClockTo("09:00:00");
        Assert.Equal(["005930"], Status(feed).StaleCodes);                     // the calendar alone: KRX trades from 09:00

        PushSession(t, sessions, "0", "KRX session: closed by 0s push (215=0)");
        Assert.Empty(Status(feed).StaleCodes);
        var nxt = CreateTestProbe();
        SubscribeConfirmed(feed, t, nxt, "005930_NX");
        for (var i = 0; i < 6; i++)
        {
            if (i > 0) Time.Advance(TimeSpan.FromMilliseconds(100));
            t.Push(Real("005930_NX"));
            nxt.ExpectMsg<Tick>();
        }
        MoveClock(TimeSpan.FromSeconds(6));                                    // 09:00:06.5: Nextrade trades from 09:00:30
        Assert.Empty(Status(feed).StaleCodes);
        MoveClockTo("09:01:00");
        Assert.Equal(["005930_NX"], Status(feed).StaleCodes);                  // the push is about KRX: Nextrade keeps its clock
    }

    [Fact]
    public void DataWatchdog_must_drop_a_narrowing_learned_on_the_connection_before_when_a_new_one_logs_in()
    {
        var (feed, t, sessions) = ConnectedWithPaceAndSessions();
        PushSession(t, sessions, "0", "KRX session: closed by 0s push (215=0)");
        MoveClockTo("09:00:00");
        Assert.Empty(Status(feed).StaleCodes);                                // narrowed: KRX has not opened

        t.ServerClose(System.Net.WebSockets.WebSocketCloseStatus.EndpointUnavailable, "restart");   // the "3" push comes while the link is down
        var decision = ExpectDecision(FeedComponent.Connection);
        AdvanceExpectingNothingBefore(decision.Delay, Wire);
        FakeTransport t2 = null!;
        EventFilter.Info(start: "KRX session: the narrowing by 0s push (215=0) since 08:50:00 was learned on an earlier connection")
            .ExpectOne(() => t2 = AcceptConnection().Transport);
        for (var i = 0; i < 2; i++)                                           // 0B and 0s replayed
        {
            ExpectSent(t2, "REG");
            t2.Push(RegOk);
        }
        MoveClock(TimeSpan.FromSeconds(6));                                   // the pace counts silence from the reconnection: past its 5 s floor
        AwaitAssert(() => Assert.Equal(["005930"], Status(feed).StaleCodes));  // the calendar applies again: silent while KRX trades
    }

    // ---------------------------------------------------------------- steps

    /// <summary>Connected at 08:50 KST with 005930 0B (a pace of 100 ms learned from six trades) and 001 0s confirmed.</summary>
    private (IActorRef Feed, FakeTransport Transport, TestProbe Sessions) ConnectedWithPaceAndSessions()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        _transport = t;
        var trades = CreateTestProbe();
        SubscribeConfirmed(feed, t, trades, "005930");
        var sessions = CreateTestProbe();
        feed.Tell(new Subscribe("001", "0s", sessions));                     // on its own code: event ticks on 005930 would count as its ticks
        Assert.Equal(["001"], Items(ExpectSent(t, "REG")));
        t.Push(RegOk);
        sessions.ExpectMsg(new SubscriptionConfirmed("001", "0s"));
        for (var i = 0; i < 6; i++)
        {
            if (i > 0) Time.Advance(TimeSpan.FromMilliseconds(100));           // the pace runs on the manual clock; the checks stay on 5 s
            t.Push(Real("005930"));
            trades.ExpectMsg<Tick>();
        }
        return (feed, t, sessions);
    }

    /// <summary>Pushes a 0s entry with FID 215 = <paramref name="value"/>; expects the Info line once, and the tick at the 0s subscriber.</summary>
    private Tick PushSession(FakeTransport t, TestProbe sessions, string value, string logStart)
    {
        EventFilter.Info(start: logStart).ExpectOne(() => t.Push(SessionPush(value)));
        var tick = sessions.ExpectMsg<Tick>();
        Assert.Equal(("001", "0s"), (tick.Code, tick.Type));
        return tick;
    }

    /// <summary>The last REAL just came: with <paramref name="lastRealWasMarketData"/> the next check sees it (an event
    /// entry such as a 0s push is not data: the checks after it are silent ones); four silent checks later (data-timeout)
    /// step 1, registering the confirmed items again, and another data-timeout later step 2, a restart with cause "no data".</summary>
    private void ExpectTwoStepRecovery(FakeTransport t, bool lastRealWasMarketData = true)
    {
        if (lastRealWasMarketData) AdvanceQuietly(CheckInterval, null);
        AdvanceQuietly(DataTimeout - TimeSpan.FromMilliseconds(1), null);
        EventFilter.Warning(start: StepOneLog).ExpectOne(() => MoveClock(TimeSpan.FromMilliseconds(1)));
        var step1 = ExpectDecision(FeedComponent.Connection);
        Assert.Equal((FeedFailureException.Causes.NoData, 0), (step1.Cause, step1.Attempt));
        var registered = new List<string>();
        for (var i = 0; i < 2; i++)                                           // one REG per type: 0B and 0s
        {
            var reg = ExpectSent(t, "REG");
            var type = System.Text.Json.JsonDocument.Parse(reg).RootElement.GetProperty("data")[0].GetProperty("type")[0].GetString()!;
            registered.AddRange(Items(reg).Select(code => $"{code}/{type}"));
            t.Push(RegOk);
        }
        Assert.Equal(["001/0s", "005930/0B"], registered.Order(StringComparer.Ordinal));
        SyncWithConnection();                                                 // the replies were handled: no request timeout runs

        AdvanceQuietly(DataTimeout - TimeSpan.FromMilliseconds(1), null);
        MoveClock(TimeSpan.FromMilliseconds(1));
        var step2 = ExpectDecision(FeedComponent.Connection);
        Assert.Equal((FeedFailureException.Causes.NoData, 1), (step2.Cause, step2.Attempt));
        Assert.Equal(FeedFailureException.Causes.NoData, ExpectState(FeedState.Reconnecting).Cause);
    }

    // ---------------------------------------------------------------- clock

    /// <summary>Moves the manual clock and the scheduler together, by one check interval at most at a time; then asserts that
    /// no frame was sent, no decision published and (given the feed) no code is stale.</summary>
    private void AdvanceQuietly(TimeSpan span, IActorRef? feed)
    {
        for (var moved = TimeSpan.Zero; moved < span; moved += CheckInterval)
        {
            MoveClock(CheckInterval < span - moved ? CheckInterval : span - moved);
            if (feed is not null) Assert.Empty(Status(feed).StaleCodes);
        }
        Wire.ExpectNoMsg(Quiet);
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);
        SyncWithConnection();
    }

    /// <summary>A PING echoed: the connection has handled every check the scheduler gave it before (so a REAL pushed
    /// next is seen by the next check, not by one still queued).</summary>
    private void SyncWithConnection()
    {
        _transport!.Push("""{"trnm":"PING"}""");
        ExpectSent(_transport, "PING");
    }

    private FakeTransport? _transport;

    private void MoveClock(TimeSpan by)
    {
        Time.Advance(by);
        Scheduler.Advance(by);
    }

    /// <summary>Moves the manual clock alone (the scheduler stays: no check runs) to <paramref name="hhmmss"/> KST on Monday 2026-11-30.</summary>
    private void MoveClockTo(string hhmmss)
    {
        var to = new DateTimeOffset(new DateOnly(2026, 11, 30).ToDateTime(TimeOnly.ParseExact(hhmmss, "HH:mm:ss")), MarketCalendar.Kst);
        Assert.True(to > Time.GetUtcNow());
        Time.Advance(to - Time.GetUtcNow());
    }

    private FeedStatus Status(IActorRef feed)
    {
        feed.Tell(GetFeedStatus.Instance);
        return ExpectMsg<FeedStatus>();
    }

    private static string SessionPush(string value) =>
        "{\"trnm\":\"REAL\",\"data\":[{\"type\":\"0s\",\"name\":\"장시작시간\",\"item\":\"001\",\"values\":{\"215\":\"" + value
        + "\",\"20\":\"085000\",\"214\":\"010000\"}}]}";
}
