using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.TestKit;
using ActorFeed.Diagnostics;
using ActorFeed.Messages;
using ActorFeed.Testing.Fakes;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>
/// What a REG / REMOVE error reply does, by its class: an item error bisects (SubscriptionSpec), a rate limit (1700)
/// pauses and resends the same request, a token error re-authenticates, anything else restarts the link. Only an item
/// error ever rejects a subscription. And the pacing of requests to max-requests-per-second.
/// </summary>
public sealed class RegistrationFailureSpec(ITestOutputHelper output) : FeedSpecBase(output)
{
    private static string RegRateLimited => """{"trnm":"REG","return_code":1700,"return_msg":"허용된 요청 개수를 초과하였습니다"}""";
    private static string RegRateLimitedCoarse => """{"trnm":"REG","return_code":5,"return_msg":"허용된 요청 개수를 초과하였습니다[1700:허용된 요청 개수를 초과하였습니다]"}""";
    private static string RemoveRateLimited => """{"trnm":"REMOVE","return_code":1700,"return_msg":"허용된 요청 개수를 초과하였습니다"}""";

    [Fact]
    public void A_rate_limited_REG_must_pause_then_resend_the_same_items_once()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new Subscribe("005930", "0B", me));
        Assert.Equal(["005930"], Items(ExpectSent(t, "REG")));
        // the warning is logged once the pause runs
        EventFilter.Warning(contains: "rate limited").ExpectOne(() => t.Push(RegRateLimited));
        AdvanceExpectingNothingBefore(Settings.BackoffMin, Wire);         // nothing before the pause ends
        var again = ExpectSent(t, "REG");                                   // the same REG right after
        Assert.Equal(["005930"], Items(again));
        t.Push(RegOk);
        me.ExpectMsg(new SubscriptionConfirmed("005930", "0B"));
        Scheduler.Advance(Settings.BackoffMax * 2);
        Wire.ExpectNoMsg(Quiet);                                            // resent once, nothing more
        Assert.Empty(Drain(me));
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);          // the link stayed up
    }

    [Fact]
    public void Repeated_rate_limits_must_back_off_to_the_maximum_then_confirm_every_pair_and_reject_nothing()
    {
        var feedTag = $"{Sys.Name}/actorfeed";
        var counted = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == FeedMetrics.MeterName && i.Name == "actorfeed.requests.rate_limited") l.EnableMeasurementEvents(i); };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? feed = null, trnm = null;
            foreach (var tag in tags) { if (tag.Key == "feed") feed = tag.Value as string; if (tag.Key == "trnm") trnm = tag.Value as string; }
            if (feed == feedTag) lock (counted) counted.Add(trnm!);
        });
        listener.Start();

        var feed = StartFeed();
        var me = CreateTestProbe();
        string[] codes = ["005930", "000660", "035420"];
        foreach (var c in codes) feed.Tell(new Subscribe(c, "0B", me));
        AwaitDesired(feed, 3);                                              // one batch once connected
        var (t, _) = AcceptConnection();
        var sent = Items(ExpectSent(t, "REG"));
        Assert.Equal(codes.Order(), sent.Order());
        // backoff.min 1 s doubling, capped at backoff.max 8 s; both envelopes
        foreach (var (pause, reply) in new[] { (1, RegRateLimited), (2, RegRateLimitedCoarse), (4, RegRateLimited), (8, RegRateLimitedCoarse), (8, RegRateLimited) })
        {
            EventFilter.Warning(contains: "rate limited").ExpectOne(() => t.Push(reply));
            AdvanceExpectingNothingBefore(TimeSpan.FromSeconds(pause), Wire);
            Assert.Equal(sent, Items(ExpectSent(t, "REG")));                 // the same batch, whole
        }
        t.Push(RegOk);
        Assert.Equal(codes.Order(), AllConfirmations(me).Select(c => c.Code).Order());
        lock (counted) Assert.Equal(Enumerable.Repeat("REG", 5), counted);

        // an accepted request resets the pause
        feed.Tell(new Subscribe("051910", "0B", me));
        Assert.Equal(["051910"], Items(ExpectSent(t, "REG")));
        EventFilter.Warning(contains: "rate limited").ExpectOne(() => t.Push(RegRateLimited));
        AdvanceExpectingNothingBefore(Settings.BackoffMin, Wire);
        Assert.Equal(["051910"], Items(ExpectSent(t, "REG")));
        t.Push(RegOk);
        me.ExpectMsg(new SubscriptionConfirmed("051910", "0B"));
        Assert.Empty(Drain(me));                                            // no SubscriptionRejected, ever
        feed.Tell(GetFeedStatus.Instance);
        var status = ExpectMsg<FeedStatus>();
        Assert.Equal(4, status.DesiredSubscriptions);
        Assert.Equal(4, status.ConfirmedSubscriptions);
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);
    }

    [Fact]
    public void A_rate_limited_replay_batch_must_be_resent_whole_not_bisected()
    {
        var feed = StartFeed();
        var me = CreateTestProbe();
        var codes = Enumerable.Range(1, 250).Select(i => i.ToString("D6")).ToList();
        foreach (var c in codes) feed.Tell(new Subscribe(c, "0B", me));
        AwaitDesired(feed, 250);
        var (t, _) = AcceptConnection();
        var first = Items(ExpectSent(t, "REG"));
        Assert.Equal(100, first.Length);
        EventFilter.Warning(contains: "rate limited").ExpectOne(() => t.Push(RegRateLimited));
        AdvanceExpectingNothingBefore(Settings.BackoffMin, Wire);
        var sizes = new List<int>();
        var registered = new List<string>();
        while (registered.Count < 250)
        {
            var items = Items(ExpectSent(t, "REG"));
            if (sizes.Count == 0) Assert.Equal(first, items);
            sizes.Add(items.Length);
            registered.AddRange(items);
            t.Push(RegOk);
        }
        Assert.Equal([100, 100, 50], sizes);                                // the resend and the rest: never split
        Assert.Equal(codes, registered.Order());
        Assert.Equal(250, AllConfirmations(me).Count);
        Assert.Empty(Drain(me));
    }

    [Fact]
    public void A_REG_refused_for_the_token_must_invalidate_it_restart_the_link_and_replay()
    {
        var feed = StartFeed();
        var (t1, first) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new Subscribe("005930", "0B", me));
        ExpectSent(t1, "REG");
        t1.Push("""{"trnm":"REG","return_code":3,"return_msg":"인증에 실패했습니다[8005:Token이 유효하지 않습니다]"}""");
        var decision = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FeedFailureException.Causes.TokenRejected, decision.Cause);
        Assert.Equal(FailureKind.Transient, decision.Kind);
        Assert.Contains("REG of 1 item(s)", decision.Detail);
        Assert.Contains("8005", decision.Detail);
        TokenCalls.FishForMessage(m => m is TokenIssued i && i.Token != first);    // the bad token was invalidated
        Scheduler.Advance(decision.Delay);
        var (t2, second) = AcceptConnection();
        Assert.NotEqual(first, second);
        Assert.Equal(["005930"], Items(ExpectSent(t2, "REG")));              // replayed
        t2.Push(RegOk);
        me.ExpectMsg(new SubscriptionConfirmed("005930", "0B"));
        Assert.Empty(Drain(me));
        AssertNoSecretLogged(first, second);
    }

    [Theory]
    [InlineData(1, "error")]                                                // no fine code
    [InlineData(9999, "시스템 오류가 발생했습니다")]
    [InlineData(8001, "App Key가 유효하지 않습니다")]                       // a permanent class says nothing about items either
    public void A_REG_refused_with_any_other_code_must_restart_the_link_replay_and_reject_nothing(int returnCode, string message)
    {
        var feed = StartFeed();
        var me = CreateTestProbe();
        foreach (var c in new[] { "005930", "000660" }) feed.Tell(new Subscribe(c, "0B", me));
        AwaitDesired(feed, 2);
        var (t1, token) = AcceptConnection();
        Assert.Equal(["000660", "005930"], Items(ExpectSent(t1, "REG")).Order());
        t1.Push($$"""{"trnm":"REG","return_code":{{returnCode}},"return_msg":"{{message}}"}""");
        var decision = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FeedFailureException.Causes.RequestFailed, decision.Cause);
        Assert.Equal(FailureKind.Transient, decision.Kind);
        Assert.Contains($"REG of 2 item(s) returned return_code {returnCode}", decision.Detail);
        AdvanceExpectingNothingBefore(decision.Delay, Wire);
        var (t2, again) = AcceptConnection();
        Assert.Equal(token, again);                                          // not a token problem
        Assert.Equal(["000660", "005930"], Items(ExpectSent(t2, "REG")).Order());   // replayed whole: not bisected
        t2.Push(RegOk);
        Assert.Equal(2, AllConfirmations(me).Count);
        Assert.Empty(Drain(me));
    }

    [Fact]
    public void A_REG_refused_the_same_unexplained_way_after_the_restart_must_be_bisected_and_cost_no_more_restarts()
    {
        // one bad code the server answers with a code of no known class: one restart, then it is found and rejected alone
        var feed = StartFeed();
        var good = CreateTestProbe();
        var bad = CreateTestProbe();
        foreach (var c in new[] { "005930", "000660", "035420" }) feed.Tell(new Subscribe(c, "0B", good));
        feed.Tell(new Subscribe("999999", "0B", bad));
        AwaitDesired(feed, 4);
        const string Strange = """{"trnm":"REG","return_code":1903,"return_msg":"해당 거래소에 종목이 없습니다"}""";
        var (t1, _) = AcceptConnection();
        Assert.Equal(4, Items(ExpectSent(t1, "REG")).Length);
        t1.Push(Strange);
        var decision = ExpectDecision(FeedComponent.Connection);            // the first time: a link failure like any other
        Assert.Equal(FeedFailureException.Causes.RequestFailed, decision.Cause);
        AdvanceExpectingNothingBefore(decision.Delay, Wire);
        var (t2, _) = AcceptConnection();
        var requests = 0;
        var accepted = 0;
        var rejected = false;
        while (accepted < 3 || !rejected)
        {
            var items = Items(ExpectSent(t2, "REG"));
            requests++;
            var fails = items.Contains("999999");
            t2.Push(fails ? Strange : RegOk);
            if (!fails) accepted += items.Length;
            rejected |= items is ["999999"];
        }
        Assert.True(requests <= 5, $"bisection of 4 items took {requests} REGs");
        var rejection = bad.ExpectMsg<SubscriptionRejected>();
        Assert.Equal("999999", rejection.Code);
        Assert.Contains("1903", rejection.Reason);
        Assert.Equal(3, AllConfirmations(good).Count);
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);            // no second restart
    }

    [Fact]
    public void A_rate_limited_REMOVE_must_be_resent_after_the_pause_and_another_refusal_only_logged()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        SubscribeConfirmed(feed, t, me, "005930");
        SubscribeConfirmed(feed, t, me, "000660");
        feed.Tell(new Unsubscribe("005930", "0B", me));
        Assert.Equal(["005930"], Items(ExpectSent(t, "REMOVE")));
        EventFilter.Warning(contains: "rate limited").ExpectOne(() => t.Push(RemoveRateLimited));
        AdvanceExpectingNothingBefore(Settings.BackoffMin, Wire);
        Assert.Equal(["005930"], Items(ExpectSent(t, "REMOVE")));
        EventFilter.Warning(contains: "REMOVE of 1 item(s) rejected").ExpectOne(() =>
            t.Push("""{"trnm":"REMOVE","return_code":1,"return_msg":"error"}"""));
        feed.Tell(new Unsubscribe("000660", "0B", me));
        Assert.Equal(["000660"], Items(ExpectSent(t, "REMOVE")));            // no pause after a refusal of another kind
        t.Push(RemoveOk);
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);
    }

    [Fact]
    public async Task A_REG_failure_while_closing_must_finish_the_close_not_restart_the_link()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        SubscribeConfirmed(feed, t, me, "005930");
        feed.Tell(new Subscribe("000660", "0B", me));
        ExpectSent(t, "REG");                                               // in flight when the stop comes
        Task<FeedProtocol.Stopped> stopping = null!;
        EventFilter.Debug(contains: "Closing: REMOVE").ExpectOne(() =>
        {
            stopping = feed.Ask<FeedProtocol.Stopped>(FeedProtocol.Stop.Instance, TimeSpan.FromSeconds(10));
        });
        t.Push("""{"trnm":"REG","return_code":9999,"return_msg":"시스템 오류가 발생했습니다"}""");
        // the feed stops with no supervision decision on the way (a restart would have left the close to time out)
        var next = Events.FishForMessage(m => m is SupervisionDecision || m is FeedStatusChanged { Status.State: FeedState.Stopped }, TimeSpan.FromSeconds(5));
        Assert.IsType<FeedStatusChanged>(next);
        await stopping;
        Assert.DoesNotContain(Logs.Snapshot(this), l => l.Contains("Graceful close timed out"));
    }

    [Fact]
    public void Requests_must_be_paced_to_max_requests_per_second()
    {
        Settings = Settings with { MaxItemsPerRequest = 2, MaxRequestsPerSecond = 2 };
        var feed = StartFeed();
        var me = CreateTestProbe();
        foreach (var c in new[] { "000001", "000002", "000003", "000004", "000005", "000006" }) feed.Tell(new Subscribe(c, "0B", me));
        AwaitDesired(feed, 6);
        var (t, _) = AcceptConnection();
        var registered = new List<string>(Items(ExpectSent(t, "REG")));   // the first at once
        t.Push(RegOk);
        for (var i = 0; i < 2; i++) me.ExpectMsg<SubscriptionConfirmed>();  // answered at once: the interval still runs
        AdvanceExpectingNothingBefore(TimeSpan.FromMilliseconds(500), Wire);
        registered.AddRange(Items(ExpectSent(t, "REG")));
        t.Push(RegOk);
        for (var i = 0; i < 2; i++) me.ExpectMsg<SubscriptionConfirmed>();
        // 999 ms after the first: nothing; 1 s after it: the third
        AdvanceExpectingNothingBefore(TimeSpan.FromMilliseconds(500), Wire);
        registered.AddRange(Items(ExpectSent(t, "REG")));
        t.Push(RegOk);
        Assert.Equal(["000001", "000002", "000003", "000004", "000005", "000006"], registered.Order());   // 2 per request
        for (var i = 0; i < 2; i++) me.ExpectMsg<SubscriptionConfirmed>();
        // a request made long after the last send goes out at once
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        feed.Tell(new Subscribe("000007", "0B", me));
        Assert.Equal(["000007"], Items(ExpectSent(t, "REG")));
    }

    /// <summary>Everything <paramref name="probe"/> receives until it has been quiet for a while.</summary>
    private static List<object> Drain(TestProbe probe)
    {
        var all = new List<object>();
        while (probe.TryReceiveOne(out var e, Quiet)) all.Add(e.Message);
        return all;
    }

    private void AwaitDesired(IActorRef feed, int count) => AwaitAssert(() =>
    {
        feed.Tell(GetFeedStatus.Instance);
        Assert.Equal(count, ExpectMsg<FeedStatus>().DesiredSubscriptions);
    });
}
