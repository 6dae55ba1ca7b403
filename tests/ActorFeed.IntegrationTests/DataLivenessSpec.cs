using Akka.Actor;
using System.Diagnostics;
using System.Globalization;
using ActorFeed.Messages;
using ActorFeed.Settings;
using Xunit.Abstractions;

namespace ActorFeed.IntegrationTests;

/// <summary>
/// The data watchdog against the simulator: a session that keeps PINGing but sends no REAL is down, unless the market
/// calendar says silence is normal. data-timeout 2 s, so the watchdog checks every 500 ms.
/// </summary>
public sealed class DataLivenessSpec(ITestOutputHelper output) : IntegrationSpec(output)
{
    private static readonly string[] Five = ["005930", "000660", "035420", "051910", "005380"];
    private static readonly TimeSpan DataTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan CheckInterval = DataTimeout / 4;
    /// <summary>What the machine may add to a timer-driven detection (scheduler resolution, a loaded CI machine):
    /// 300 ms, stretched by the test time factor like every TestKit wait (CI runs with 2).</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(300 * TestKitConfig.TimeFactor);

    private ActorFeedSettings Watched(string calendar = "always", string holidays = "") =>
        FastSettings() with { DataTimeout = DataTimeout, MarketCalendar = calendar, MarketHolidays = holidays };

    private int RegFrames(int session) => Sim.Record.Read(r => r.Sessions[session].RegistrationFrames.Count(f => f.Trnm == "REG"));

    [Fact]
    public void Feed_must_detect_forgotten_registrations_and_recover_by_registering_again_on_the_same_connection()
    {
        var (feed, collector) = ConnectedWithTicks(Five, Watched());
        var watcher = CreateTestProbe();                                // a subscriber told of the gap
        feed.Tell(new Subscribe(Five[0], "0B", watcher));
        watcher.ExpectMsg<SubscriptionConfirmed>();
        watcher.FishForMessage(m => m is Tick, Wait);                   // it has a tick before the fault
        var regsBefore = RegFrames(0);
        var t0 = Stopwatch.GetTimestamp();
        Assert.Equal(1, Sim.ForgetRegistrations());

        var decision = ExpectDecision(FeedComponent.Connection);
        var decidedAt = Stopwatch.GetTimestamp();
        var detect = Stopwatch.GetElapsedTime(t0, decidedAt);
        Assert.Equal(FeedFailureException.Causes.NoData, decision.Cause);
        Assert.Equal(0, decision.Attempt);                              // step 1: registering again, no restart
        // measured from the last REAL (frames the simulator had queued still arrive after the fault): between one
        // data-timeout and one check interval more
        var silent = Stopwatch.GetElapsedTime(LastRealBeforeSilence(collector), decidedAt);
        Assert.InRange(silent, DataTimeout - TimeSpan.FromMilliseconds(100), DataTimeout + CheckInterval + Slack);

        var recover = Stopwatch.GetElapsedTime(t0) + AwaitAllTicked(collector, Five, Stopwatch.GetTimestamp());
        Report("forget registrations", detect, recover);
        var gap = (SubscriptionGap)watcher.FishForMessage(m => m is SubscriptionGap, Wait);   // end to end: one gap, cause "no data"
        Assert.Equal((Five[0], "0B", FeedFailureException.Causes.NoData), (gap.Code, gap.Type, gap.Cause));
        Assert.True(gap.To > gap.From, $"gap {gap.From:O} -> {gap.To:O}");
        Assert.NotNull(gap.MissedVolume);
        // the re-registration brought the data back: no restart follows
        Events.ExpectNoDecision(FeedComponent.Connection, DataTimeout + CheckInterval);
        Assert.True(RegFrames(0) > regsBefore);
        Assert.Equal(1, Sim.Record.Read(r => r.Sessions[0].RegistrationsForgotten));
        AssertServerRegistrations(Five);                                // the forgotten session took the REG as new: no duplicate
        AssertConnectionAttempts(1);
    }

    [Fact]
    public void Feed_must_not_restart_while_the_market_is_closed_by_the_krx_calendar()
    {
        // today (and tomorrow, should the test cross midnight KST) is a holiday: the calendar expects no data
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime);
        var holidays = string.Join(",", new[] { today, today.AddDays(1) }.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        var (_, collector) = ConnectedWithTicks(Five, Watched("krx", holidays));
        var regsBefore = RegFrames(0);

        Sim.Faults.MarketClosed = true;
        Events.ExpectNoDecision(FeedComponent.Connection, 3 * DataTimeout);   // silence is normal: no re-REG, no restart
        Assert.Equal(regsBefore, RegFrames(0));
        AssertConnectionAttempts(1);

        Sim.Faults.MarketClosed = false;
        AwaitAllTicked(collector, Five, Stopwatch.GetTimestamp());
        AssertServerRegistrations(Five);
        AssertConnectionAttempts(1);
    }

    [Fact]
    public void Feed_must_take_a_closed_market_for_no_data_when_the_calendar_says_always_open()
    {
        var (_, collector) = ConnectedWithTicks(Five, Watched());
        var t0 = Stopwatch.GetTimestamp();
        Sim.Faults.MarketClosed = true;

        var step1 = ExpectDecision(FeedComponent.Connection);
        Assert.Equal((FeedFailureException.Causes.NoData, 0), (step1.Cause, step1.Attempt));
        var step2 = ExpectDecision(FeedComponent.Connection);
        var decidedAt = Stopwatch.GetTimestamp();
        var detect = Stopwatch.GetElapsedTime(t0, decidedAt);
        Assert.Equal((FeedFailureException.Causes.NoData, 1), (step2.Cause, step2.Attempt));
        // measured from the last REAL (frames the simulator had queued still arrive after the fault): step 1 within
        // data-timeout + one check, step 2 four checks after it
        var silent = Stopwatch.GetElapsedTime(LastRealBeforeSilence(collector), decidedAt);
        Assert.InRange(silent, 2 * DataTimeout - TimeSpan.FromMilliseconds(100), 2 * DataTimeout + CheckInterval + Slack);

        Sim.Faults.MarketClosed = false;
        var recover = AwaitRecovered(collector, Five, t0);
        Report("market closed, calendar always", detect, recover);
        Sim.Record.Read(r =>
        {
            // step 1 sent REG again for pairs the server still held (refresh "1": a real server keeps them; the
            // simulator counts them); the new session registered each pair once
            Assert.Equal(Five.Length, r.Sessions[0].DuplicateRegistrations);
            var last = r.Sessions.Last(s => s.LoggedInAt is not null);
            Assert.Equal(0, last.DuplicateRegistrations);
            Assert.Equal(Five.Select(c => c + "/0B").Order(), last.Registered.Order());
            return true;
        });
        AssertConnectionAttempts(2);
    }

    private static long LastRealBeforeSilence(IActorRef collector) =>
        collector.Ask<long>(Support.TickCollector.GetLastBeforeSilence.Instance, Wait).GetAwaiter().GetResult();
}
