using Akka.Actor;
using Akka.TestKit;
using ActorFeed.Messages;
using ActorFeed.Testing;
using ActorFeed.Testing.Fakes;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>
/// The data watchdog on virtual time: with confirmed subscriptions and data expected, no REAL for data-timeout means
/// register again on the same connection; still none for another data-timeout means restart with cause "no data".
/// data-timeout 20 s, so the check runs every 5 s; the idle watchdog (60 s) stays out of the way.
/// </summary>
public sealed class DataWatchdogSpec : FeedSpecBase
{
    private static readonly TimeSpan DataTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan CheckInterval = DataTimeout / 4;
    private const string StepOneLog = "Supervision: connection data stopped (no data); registering again";

    public DataWatchdogSpec(ITestOutputHelper output) : base(output) =>
        Settings = Settings with { DataTimeout = DataTimeout, MarketCalendar = "always" };

    /// <summary>Connected with 005930 and 000660 confirmed and one REAL received, then one check interval on: silence
    /// counts from there (the data check's timer runs from the LOGIN reply).</summary>
    private (IActorRef Feed, FakeTransport Transport, TestProbe Subscriber) ConnectedWithTwoCodes()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var subscriber = CreateTestProbe();
        SubscribeConfirmed(feed, t, subscriber, "005930");
        SubscribeConfirmed(feed, t, subscriber, "000660");
        t.Push(Real("005930"));                                       // data came on this link: the watchdog may judge silence
        subscriber.ExpectMsg<Tick>();
        AdvanceQuietly(CheckInterval);                                 // the first check saw it; silence counts from here
        return (feed, t, subscriber);
    }

    /// <summary>Moves virtual time by <paramref name="span"/>, one check interval at a time, and asserts that no frame
    /// was sent and no decision published meanwhile.</summary>
    private void AdvanceQuietly(TimeSpan span)
    {
        for (var moved = TimeSpan.Zero; moved < span; moved += CheckInterval)
            Scheduler.Advance(CheckInterval < span - moved ? CheckInterval : span - moved);
        Wire.ExpectNoMsg(Quiet);
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);
    }

    /// <summary>Step 1 at <paramref name="after"/> from now: nothing 1 ms before, then the warning, the decision
    /// (attempt 0, no delay) and one REG of both confirmed codes, which the spec answers.</summary>
    private void ExpectReregisteredAfter(FakeTransport t, TimeSpan after)
    {
        AdvanceQuietly(after - TimeSpan.FromMilliseconds(1));
        EventFilter.Warning(start: StepOneLog).ExpectOne(() => Scheduler.Advance(TimeSpan.FromMilliseconds(1)));
        var decision = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FeedFailureException.Causes.NoData, decision.Cause);
        Assert.Equal(0, decision.Attempt);
        Assert.Equal(TimeSpan.Zero, decision.Delay);
        Assert.Equal(["000660", "005930"], Items(ExpectSent(t, "REG")).Order());
        t.Push(RegOk);
        t.Push("""{"trnm":"PING"}""");
        ExpectSent(t, "PING");                                         // echoed after the reply was handled: no request timeout runs
    }

    [Fact]
    public void DataWatchdog_must_register_again_once_then_restart_with_cause_no_data_and_replay()
    {
        var (feed, t1, subscriber) = ConnectedWithTwoCodes();

        ExpectReregisteredAfter(t1, DataTimeout);                      // step 1 exactly at data-timeout, not before
        AdvanceQuietly(DataTimeout - TimeSpan.FromMilliseconds(1));    // no second REG, no restart before another data-timeout
        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        var decision = ExpectDecision(FeedComponent.Connection);       // step 2
        Assert.Equal(FeedFailureException.Causes.NoData, decision.Cause);
        Assert.Equal(1, decision.Attempt);
        Assert.Equal(FeedFailureException.Causes.NoData, ExpectState(FeedState.Reconnecting).Cause);

        AdvanceExpectingNothingBefore(decision.Delay, Wire);
        var (t2, _) = AcceptConnection();
        Assert.Equal(["000660", "005930"], Items(ExpectSent(t2, "REG")).Order());
        t2.Push(RegOk);
        t2.Push(Real("005930"));
        var gap = subscriber.ExpectMsg<SubscriptionGap>();             // the data stopped: its subscribers are told, once
        Assert.Equal(("005930", FeedFailureException.Causes.NoData), (gap.Code, gap.Cause));
        Assert.Equal("005930", subscriber.ExpectMsg<Tick>().Code);
        subscriber.ExpectNoMsg(Quiet);                                 // confirmed again silently
        feed.Tell(GetFeedStatus.Instance);
        Assert.Equal(2, ExpectMsg<FeedStatus>().ConfirmedSubscriptions);
    }

    [Fact]
    public void DataWatchdog_must_reset_both_steps_when_a_REAL_arrives_in_between()
    {
        var (_, t, subscriber) = ConnectedWithTwoCodes();
        ExpectReregisteredAfter(t, DataTimeout);                       // step 1 at 20 s
        t.Push(Real("000660"));
        Assert.Equal(FeedFailureException.Causes.NoData, subscriber.ExpectMsg<SubscriptionGap>(g => g.Code == "000660").Cause);
        Assert.Equal("000660", subscriber.ExpectMsg<Tick>().Code);     // the receive loop set the flag before delivering
        // the check at 25 s sees the REAL; 30..45 s are silent: step 1 again (not a restart) at 45 s
        ExpectReregisteredAfter(t, CheckInterval + DataTimeout);
    }

    [Fact]
    public void DataWatchdog_must_not_count_PINGs_as_data()
    {
        var (_, t, _) = ConnectedWithTwoCodes();
        for (var i = 0; i < 3; i++)
        {
            t.Push("""{"trnm":"PING"}""");
            ExpectSent(t, "PING");                                     // echoed: the receive loop has seen it
            Scheduler.Advance(CheckInterval);
        }
        t.Push("""{"trnm":"PING"}""");
        ExpectSent(t, "PING");
        ExpectReregisteredAfter(t, CheckInterval);                     // still detected at 20 s
    }

    [Fact]
    public void DataWatchdog_must_not_count_condition_pushes_or_event_entries_as_data()
    {
        // frequent condition changes (REAL type 02) and event entries (1h) on a link whose market data stopped
        var (_, t, _) = ConnectedWithTwoCodes();
        for (var i = 0; i < 4; i++)
        {
            t.Push($$$"""{"trnm":"REAL","data":[{"type":"02","name":"조건검색","item":"A005930","values":{"841":"1","9001":"A005930","843":"{{{(i % 2 == 0 ? "I" : "D")}}}","20":"093015","907":"2","9081":"1"}}]}""");
            t.Push("""{"trnm":"REAL","data":[{"type":"1h","name":"VI발동/해제","item":"000660","values":{"9068":"1"}}]}""");
            t.Push("""{"trnm":"PING"}""");
            ExpectSent(t, "PING");                                     // echoed: the receive loop has handled the pushes before it
            if (i < 3) Scheduler.Advance(CheckInterval);
        }
        ExpectReregisteredAfter(t, CheckInterval);                     // still detected at 20 s, as if nothing had come
    }

    [Fact]
    public void DataWatchdog_must_do_nothing_without_a_confirmed_subscription()
    {
        StartFeed();
        AcceptConnection();
        AdvanceQuietly(3 * DataTimeout);
    }

    [Fact]
    public void DataWatchdog_must_wait_for_a_first_REAL_on_the_link_before_it_judges_silence()
    {
        // a holiday the calendar does not know, or a late opening: no REAL at all on this link is not a stopped feed
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        SubscribeConfirmed(feed, t, CreateTestProbe(), "005930");
        AdvanceQuietly(3 * DataTimeout);
    }

    [Fact]
    public void DataWatchdog_must_not_judge_per_account_and_event_types_that_are_silent_when_nothing_happens()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new Subscribe("", "00", me));                         // order fills: silent while no order is placed
        ExpectSent(t, "REG");
        t.Push(RegOk);
        me.ExpectMsg<SubscriptionConfirmed>();
        feed.Tell(new Subscribe("005930", "1h", me));                   // VI start / stop: silent for hours
        ExpectSent(t, "REG");
        t.Push(RegOk);
        me.ExpectMsg<SubscriptionConfirmed>();
        t.Push("""{"trnm":"REAL","data":[{"type":"00","name":"주문체결","item":"","values":{"9203":"0000123"}}]}""");
        me.ExpectMsg<Tick>();
        AdvanceQuietly(3 * DataTimeout);
    }

    [Fact]
    public void DataWatchdog_must_do_nothing_when_turned_off()
    {
        Settings = Settings with { DataTimeout = TimeSpan.Zero };
        ConnectedWithTwoCodes();
        AdvanceQuietly(3 * DataTimeout);
    }

    [Fact]
    public void DataWatchdog_must_do_nothing_on_a_Saturday_with_the_krx_calendar()
    {
        Settings = Settings with { MarketCalendar = "krx" };
        Assert.Equal(DayOfWeek.Saturday, Time.GetUtcNow().ToOffset(TimeSpan.FromHours(9)).DayOfWeek);   // 09:00 KST, a Saturday
        ConnectedWithTwoCodes();
        AdvanceQuietly(3 * DataTimeout);
    }

    [Fact]
    public void DataWatchdog_must_do_nothing_at_night_with_the_krx_calendar_and_arm_once_the_market_opens()
    {
        Settings = Settings with { MarketCalendar = "krx" };
        Time.Advance(TimeSpan.FromHours(42));                          // Monday 2026-11-30 03:00 KST
        var kst = Time.GetUtcNow().ToOffset(TimeSpan.FromHours(9));
        Assert.Equal((DayOfWeek.Monday, 3), (kst.DayOfWeek, kst.Hour));
        var (_, t, _) = ConnectedWithTwoCodes();
        AdvanceQuietly(3 * DataTimeout);

        Time.Advance(TimeSpan.FromHours(7));                           // 10:00 KST: continuous trading, silence counts from now
        ExpectReregisteredAfter(t, DataTimeout);
    }
}
