using System.Diagnostics;
using System.Diagnostics.Metrics;
using Akka.Actor;
using ActorFeed.Diagnostics;
using ActorFeed.Messages;
using ActorFeed.Simulator;
using Xunit.Abstractions;

namespace ActorFeed.IntegrationTests;

/// <summary>One test per simulator fault: after it, every code ticks again, nothing is registered twice on the server,
/// and connection attempts stay within what the backoff allows.</summary>
public sealed class RecoverySpec(ITestOutputHelper output) : IntegrationSpec(output)
{
    private static readonly string[] Five = ["005930", "000660", "035420", "051910", "005380"];

    [Fact]
    public void Feed_must_log_in_subscribe_and_receive_ticks_from_the_simulator()
    {
        var feed = StartFeed();
        ExpectState(FeedState.Connected);
        SubscribeAndAwaitTicks(feed, Five);
        AssertServerRegistrations(Five);
        feed.Tell(GetFeedStatus.Instance);
        var status = ExpectMsg<FeedStatus>();
        Assert.Equal(5, status.ConfirmedSubscriptions);
        AssertConnectionAttempts(1);
    }

    [Fact]
    public void Feed_must_register_in_the_configured_subscription_group()
    {
        var feed = StartFeed(FastSettings() with { SubscriptionGroup = "7" });
        ExpectState(FeedState.Connected);
        SubscribeAndAwaitTicks(feed, Five);
        AssertServerRegistrations(Five, group: "7");
        AssertConnectionAttempts(1);
    }

    [Theory]
    [InlineData(DropMode.NormalClosure)]
    [InlineData(DropMode.GoingAway)]
    [InlineData(DropMode.InternalError)]
    [InlineData(DropMode.Abort)]
    public void Feed_must_recover_every_code_after_the_server_drops_the_session(DropMode mode)
    {
        var (_, collector) = ConnectedWithTicks(Five);
        var t0 = Stopwatch.GetTimestamp();
        Assert.Equal(1, Sim.DropAllSessions(mode));
        var decision = ExpectDecision(FeedComponent.Connection);
        var detect = Stopwatch.GetElapsedTime(t0);
        Assert.Equal(mode == DropMode.Abort ? FeedFailureException.Causes.ConnectionLost : FeedFailureException.Causes.ServerClosed, decision.Cause);
        var recover = AwaitRecovered(collector, Five, t0);
        Report($"drop {mode}", detect, recover);
        AssertServerRegistrations(Five);
        AssertConnectionAttempts(2);
    }

    [Fact]
    public void Feed_must_detect_a_silent_server_with_the_idle_watchdog_and_recover()
    {
        // the idle watchdog alone: protocol pings off (the simulator's silence still answers them)
        var settings = FastSettings() with { KeepAliveInterval = TimeSpan.Zero, IdleTimeout = TimeSpan.FromSeconds(2) };
        var (_, collector) = ConnectedWithTicks(Five, settings);
        var t0 = Stopwatch.GetTimestamp();
        Sim.SilenceAllSessions();
        var decision = ExpectDecision(FeedComponent.Connection);
        var detect = Stopwatch.GetElapsedTime(t0);
        Assert.Equal(FeedFailureException.Causes.KeepAliveTimeout, decision.Cause);
        var recover = AwaitRecovered(collector, Five, t0);
        Report("silent server", detect, recover);
        AssertServerRegistrations(Five);
        AssertConnectionAttempts(2);
    }

    [Fact]
    public void Feed_must_get_a_new_token_when_LOGIN_is_rejected_with_8005()
    {
        var (_, collector) = ConnectedWithTicks(Five);
        Sim.Faults.RejectNextLogins(1);
        var t0 = Stopwatch.GetTimestamp();
        Sim.DropAllSessions();
        Assert.Equal(FeedFailureException.Causes.ServerClosed, ExpectDecision(FeedComponent.Connection).Cause);   // the drop
        var rejected = ExpectDecision(FeedComponent.Connection);                              // the LOGIN rejected with 8005
        var detect = Stopwatch.GetElapsedTime(t0);
        Assert.Equal(FeedFailureException.Causes.TokenRejected, rejected.Cause);
        var recover = AwaitRecovered(collector, Five, t0);
        Report("LOGIN 8005", detect, recover);
        // the simulator handed back the same (still valid) token: the feed revoked it once and got a new one
        Sim.Record.Read(r =>
        {
            Assert.Equal(1, r.TokenRevokes);
            Assert.Equal(3, r.TokenRequests);                 // the first, the same one handed back, the new one
            return true;
        });
        AssertServerRegistrations(Five);
        AssertConnectionAttempts(3);                          // first, after the drop (rejected), with the new token
    }

    [Fact]
    public void Feed_must_recover_when_every_token_expires_mid_session()
    {
        var (_, collector) = ConnectedWithTicks(Five);
        var issued = Sim.Record.Read(r => r.TokensIssued);
        var t0 = Stopwatch.GetTimestamp();
        Sim.ExpireAllTokens();
        Assert.Equal(FeedFailureException.Causes.ServerClosed, ExpectDecision(FeedComponent.Connection).Cause);
        var detect = Stopwatch.GetElapsedTime(t0);
        Assert.Equal(FeedFailureException.Causes.TokenRejected, ExpectDecision(FeedComponent.Connection).Cause);
        var recover = AwaitRecovered(collector, Five, t0);
        Report("token expired", detect, recover);
        Assert.Equal(issued + 1, Sim.Record.Read(r => r.TokensIssued));
        AssertServerRegistrations(Five);
        AssertConnectionAttempts(3);                          // first, with the expired token (rejected), with the new one
    }

    [Fact]
    public void Feed_must_back_off_while_the_server_refuses_connections()
    {
        var settings = FastSettings();
        var (_, collector) = ConnectedWithTicks(Five, settings);
        var window = TimeSpan.FromSeconds(1.5);
        Sim.RefuseConnectionsFor(window);
        var t0 = Stopwatch.GetTimestamp();
        Sim.DropAllSessions();
        ExpectDecision(FeedComponent.Connection);
        var detect = Stopwatch.GetElapsedTime(t0);
        var recover = AwaitRecovered(collector, Five, t0);
        Report("refused connections", detect, recover);
        var (refused, attempts) = Sim.Record.Read(r => (r.RefusedConnections, r.ConnectionAttempts));
        Assert.True(refused >= 1, "no connection was refused: the fault did not happen");
        var bound = MaxAttempts(settings, window);
        Assert.True(attempts - 1 <= bound, $"{attempts - 1} attempts after the drop, the backoff allows {bound}");
        AssertServerRegistrations(Five);
    }

    [Theory]
    [InlineData(TokenFault.Http500, FeedFailureException.Causes.TokenService)]
    [InlineData(TokenFault.RateLimit1700, FeedFailureException.Causes.RateLimited)]
    public void Feed_must_retry_the_token_endpoint_with_backoff_and_connect_once_it_answers(TokenFault fault, string cause)
    {
        Sim.Faults.TokenFault = fault;
        var feed = StartFeed();
        var decision = ExpectDecision(FeedComponent.Token);
        Assert.Equal(cause, decision.Cause);
        Assert.Equal(cause, ExpectState(FeedState.Authenticating).Cause);
        AssertConnectionAttempts(0);                          // no socket without a token
        Sim.Faults.TokenFault = TokenFault.None;
        ExpectState(FeedState.Connected);
        SubscribeAndAwaitTicks(feed, Five);
        AssertServerRegistrations(Five);
        AssertConnectionAttempts(1);
    }

    [Fact]
    public void Bad_credentials_must_produce_one_clear_error_and_slow_retries_not_a_storm()
    {
        Sim.Faults.TokenFault = TokenFault.BadCredentials8001;
        var settings = FastSettings();
        var t0 = Stopwatch.GetTimestamp();
        EventFilter.Error(contains: "token failed (bad credentials)").ExpectOne(Wait, () => StartFeed(settings));
        var status = ExpectState(FeedState.Failed);
        Assert.True(status.IsPermanentFailure);
        // wait for the second try: it comes only after the permanent-failure backoff
        var second = ExpectDecision(FeedComponent.Token, TimeSpan.FromSeconds(10));
        Assert.Equal(2, second.Attempt);
        var elapsed = Stopwatch.GetElapsedTime(t0);
        var requests = Sim.Record.Read(r => r.TokenRequests);
        Assert.True(elapsed >= settings.PermanentFailureBackoff, $"second try after {elapsed}");
        Assert.True(requests <= 1 + (int)(elapsed / settings.PermanentFailureBackoff), $"{requests} token requests in {elapsed}");
        Assert.Equal(0, Sim.Record.Read(r => r.ConnectionAttempts));
    }

    [Theory]
    [InlineData(false)]                                                     // {"return_code":1901,...}
    [InlineData(true)]                                                      // {"return_code":2,"return_msg":"...[1901:...]"}
    public void A_rejected_REG_must_reject_only_that_code_and_leave_the_others_live(bool coarseEnvelope)
    {
        Sim.Faults.RejectRegCodes["999990"] = true;
        Sim.Faults.ErrorEnvelope = coarseEnvelope ? ErrorEnvelope.Coarse : ErrorEnvelope.FineCode;
        var feed = StartFeed();
        ExpectState(FeedState.Connected);
        var collector = Sys.ActorOf(Support.TickCollector.Props());
        var since = Stopwatch.GetTimestamp();
        foreach (var c in Five.Append("999990")) feed.Tell(new Subscribe(c, "0B", collector));
        var rejected = (SubscriptionRejected)Events.FishForMessage(m => m is SubscriptionRejected, Wait);
        Assert.Equal("999990", rejected.Code);
        Assert.Contains("1901", rejected.Reason);                           // the unknown-symbol reply, read from either envelope
        AwaitAllTicked(collector, Five, since);
        AssertServerRegistrations(Five);
        Assert.Equal(1, Sim.Record.Read(r => r.ConnectionAttempts));
    }

    [Fact]
    public void A_REG_rate_limited_three_times_during_a_replay_must_end_with_every_pair_live_and_nothing_rejected()
    {
        var rejections = CreateTestProbe();
        Sys.EventStream.Subscribe(rejections, typeof(SubscriptionRejected));
        var codes = Codes(1000);
        var (feed, collector) = ConnectedWithTicks(codes);
        Sim.Faults.RateLimitNextRegs(3);
        var t0 = Stopwatch.GetTimestamp();
        Sim.DropAllSessions();
        ExpectDecision(FeedComponent.Connection);
        var detect = Stopwatch.GetElapsedTime(t0);
        var recover = AwaitAllTicked(collector, codes, t0);
        Report("drop with 1000 codes, 3 REGs rate limited", detect, recover);
        AwaitAssert(() =>
        {
            feed.Tell(GetFeedStatus.Instance);
            var status = ExpectMsg<FeedStatus>();
            Assert.Equal(1000, status.DesiredSubscriptions);
            Assert.Equal(1000, status.ConfirmedSubscriptions);
        }, Wait);
        Assert.False(rejections.HasMessages);                                // a rate limit rejects nothing
        AssertServerRegistrations(codes);
        Sim.Record.Read(r =>
        {
            var last = r.Sessions.Last(s => s.LoggedInAt is not null);
            var frames = last.RegistrationFrames.Where(f => f.Trnm == "REG").ToList();
            var limited = frames.Select((f, i) => (f, i)).Where(x => x.f.Failure?.StartsWith("1700") == true).ToList();
            Assert.Equal(3, limited.Count);
            foreach (var (f, i) in limited)
                Assert.Equal(f.Items, frames[i + 1].Items);                  // the same request again: not split, not merged
            Assert.Equal(3, frames.Count(f => f.Failure is not null));
            Assert.Equal(1000 + limited.Sum(x => x.f.Items.Count), last.RegRequests.Count);   // nothing else twice
            return true;
        });
        AssertConnectionAttempts(2);
    }

    [Fact]
    public void Feed_must_restart_the_connection_when_REG_replies_are_withheld_and_recover_once_they_come_again()
    {
        var settings = FastSettings() with { RequestTimeout = TimeSpan.FromSeconds(1) };
        var (feed, collector) = ConnectedWithTicks(Five, settings);
        string[] six = [.. Five, "068270"];
        Sim.Faults.WithholdRegReplies = true;
        var t0 = Stopwatch.GetTimestamp();
        feed.Tell(new Subscribe("068270", "0B", collector));
        var decision = ExpectDecision(FeedComponent.Connection);
        var detect = Stopwatch.GetElapsedTime(t0);
        Assert.Equal(FeedFailureException.Causes.RequestTimeout, decision.Cause);
        Assert.True(detect >= settings.RequestTimeout, $"restarted after {detect}, before the request timeout");
        Assert.Equal(1, Sim.Record.Read(r => r.Sessions[0].RepliesWithheld));
        Sim.Faults.WithholdRegReplies = false;
        // A REG sent before the switch went off may still go unanswered (one more restart): wait until the server
        // confirmed all six on the connection the feed has now.
        AwaitAssert(() =>
        {
            feed.Tell(GetFeedStatus.Instance);
            var status = ExpectMsg<FeedStatus>();
            Assert.Equal(FeedState.Connected, status.State);
            Assert.Equal(six.Length, status.ConfirmedSubscriptions);
        }, Wait);
        AwaitAllTicked(collector, six, Stopwatch.GetTimestamp());
        Report("REG replies withheld", detect, Stopwatch.GetElapsedTime(t0));
        AssertServerRegistrations(six);
        Assert.InRange(Sim.Record.Read(r => r.ConnectionAttempts), 2, 3);   // the timed-out link, perhaps one more (above)
    }

    [Fact]
    public void Malformed_and_unknown_frames_must_not_cost_the_connection()
    {
        var feedTag = $"{Sys.Name}/{Feed.DefaultName}";
        var malformed = 0;
        using var meter = new MeterListener();
        meter.InstrumentPublished = (i, l) => { if (i.Meter.Name == FeedMetrics.MeterName && i.Name == "actorfeed.decode_errors") l.EnableMeasurementEvents(i); };
        meter.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? feed = null, kind = null;
            foreach (var tag in tags) { if (tag.Key == "feed") feed = tag.Value as string; if (tag.Key == "kind") kind = tag.Value as string; }
            if (feed == feedTag && kind == "malformed") Interlocked.Increment(ref malformed);
        });
        meter.Start();
        var logs = new LogCollector(Sys);
        var (_, collector) = ConnectedWithTicks(Five);
        // the first malformed frame is logged at once; the next ones, within the log interval, are counted, not logged
        EventFilter.Warning(contains: "Ignored a malformed frame").ExpectOne(Wait, () => Sim.InjectBadFrames(3));
        AwaitAssert(() => Assert.Equal(3, Volatile.Read(ref malformed)), Wait);
        Assert.Single(logs.Snapshot(this), l => l.Contains("malformed frame"));
        AwaitAllTicked(collector, Five, Stopwatch.GetTimestamp());
        AssertServerRegistrations(Five);
        AssertConnectionAttempts(1);
    }

    [Fact]
    public void A_slow_server_must_not_cost_the_connection()
    {
        var (_, collector) = ConnectedWithTicks(Five);
        Sim.Faults.SendDelay = TimeSpan.FromMilliseconds(30);
        AwaitAllTicked(collector, Five, Stopwatch.GetTimestamp());
        AwaitAllTicked(collector, Five, Stopwatch.GetTimestamp());
        AssertServerRegistrations(Five);
        AssertConnectionAttempts(1);
    }

    [Fact]
    public void A_duplicate_session_must_be_reported_and_retried_slowly()
    {
        var settings = FastSettings();
        var feed = StartFeed(settings);
        ExpectState(FeedState.Connected);
        var collector = SubscribeAndAwaitTicks(feed, Five);
        var t0 = Stopwatch.GetTimestamp();
        EventFilter.Error(contains: "another process uses this app key").ExpectOne(Wait, () => Sim.SimulateDuplicateLogin());
        var status = ExpectState(FeedState.Failed);
        Assert.Equal(FeedFailureException.Causes.DuplicateSession, status.Cause);
        ExpectState(FeedState.Connected, TimeSpan.FromSeconds(10));
        var elapsed = Stopwatch.GetElapsedTime(t0);
        var reconnectedAt = Stopwatch.GetTimestamp();
        Assert.True(elapsed >= settings.PermanentFailureBackoff, $"reconnected after {elapsed}");
        AssertConnectionAttempts(2);
        AwaitAllTicked(collector, Five, reconnectedAt);
        AssertServerRegistrations(Five);
    }

    [Fact]
    public async Task Two_feeds_with_one_app_key_must_not_kick_each_other_in_a_tight_loop()
    {
        var settings = FastSettings();
        var a = StartFeed(settings, "feed-a");
        ExpectState(FeedState.Connected);
        var t0 = Stopwatch.GetTimestamp();
        StartFeed(settings, "feed-b");
        var window = TimeSpan.FromSeconds(5);
        // each login kicks the other; every kick costs the kicked one the long permanent-failure backoff
        await Sim.Record.WaitUntilAsync(r => r.LoginsAccepted >= 3, window, "3 logins");
        var elapsed = Stopwatch.GetElapsedTime(t0);
        var attempts = Sim.Record.Read(r => r.ConnectionAttempts);
        // 1 (a) + 1 (b) + one per permanent backoff period per feed at most
        var bound = 2 + 2 * (int)Math.Ceiling(elapsed / settings.PermanentFailureBackoff);
        Assert.True(attempts <= bound, $"{attempts} connection attempts in {elapsed}, allowed {bound}");
        Assert.True(elapsed >= settings.PermanentFailureBackoff, $"third login after {elapsed}");
        Sim.Record.Read(r => { Assert.All(r.Sessions, s => Assert.Equal(0, s.DuplicateRegistrations)); return true; });
        Sys.Stop(a);
    }

    [Fact]
    public void A_thousand_codes_must_be_replayed_completely_after_a_drop()
    {
        var codes = Codes(1000);
        var (_, collector) = ConnectedWithTicks(codes);
        var t0 = Stopwatch.GetTimestamp();
        Sim.DropAllSessions();
        ExpectDecision(FeedComponent.Connection);
        var detect = Stopwatch.GetElapsedTime(t0);
        var recover = AwaitRecovered(collector, codes, t0);
        Report("drop with 1000 codes", detect, recover);
        AssertServerRegistrations(codes);
        Sim.Record.Read(r =>
        {
            var last = r.Sessions.Last(s => s.LoggedInAt is not null);
            Assert.Equal(1000, last.RegRequests.Count);                  // replayed once, nothing twice
            return true;
        });
        AssertConnectionAttempts(2);
    }
}
