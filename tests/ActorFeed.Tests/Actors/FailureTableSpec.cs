using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using Akka.Actor;
using ActorFeed.Diagnostics;
using ActorFeed.Messages;
using ActorFeed.Testing.Fakes;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>Rows of the failure table that the other specs do not cover: other LOGIN refusals, replay pacing,
/// shutdown while reconnecting, and the metrics every row moves.</summary>
public sealed class FailureTableSpec(ITestOutputHelper output) : FeedSpecBase(output)
{
    [Fact]
    public void LOGIN_refused_with_another_code_must_restart_the_link_and_keep_the_token()
    {
        StartFeed();
        var t1 = Wire.ExpectMsg<TransportCreated>().Transport;
        var first = System.Text.Json.JsonDocument.Parse(ExpectSent(t1, "LOGIN")).RootElement.GetProperty("token").GetString()!;
        TokenCalls.ExpectMsg<TokenIssued>();
        t1.Push("""{"trnm":"LOGIN","return_code":100013,"return_msg":"접속이 거부되었습니다"}""");
        var decision = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FeedFailureException.Causes.LoginRejected, decision.Cause);
        Assert.Contains("100013", decision.Detail);
        Assert.Equal(FailureKind.Transient, decision.Kind);
        AdvanceExpectingNothingBefore(decision.Delay, Wire);
        var (_, second) = AcceptConnection();
        Assert.Equal(first, second);                                       // not a token problem: the same token again
        TokenCalls.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void A_REG_without_reply_must_restart_the_link_after_the_request_timeout_and_replay()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new Subscribe("005930", "0B", me));
        ExpectSent(t1, "REG");                                             // never answered
        Scheduler.Advance(Settings.RequestTimeout - TimeSpan.FromMilliseconds(1));
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);
        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        var decision = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FeedFailureException.Causes.RequestTimeout, decision.Cause);
        Assert.Contains("REG of 1 item(s)", decision.Detail);
        AdvanceExpectingNothingBefore(decision.Delay, Wire);
        var (t2, _) = AcceptConnection();
        Assert.Equal(["005930"], Items(ExpectSent(t2, "REG")));            // replayed on the new link
        t2.Push(RegOk);
        me.ExpectMsg(new SubscriptionConfirmed("005930", "0B"));
    }

    [Fact]
    public void Replay_must_pause_the_replay_batch_interval_between_batches()
    {
        Settings = Settings with { MaxItemsPerRequest = 2, ReplayBatchInterval = TimeSpan.FromSeconds(3) };
        var feed = StartFeed();
        var me = CreateTestProbe();
        foreach (var c in new[] { "000001", "000002", "000003", "000004", "000005" }) feed.Tell(new Subscribe(c, "0B", me));
        AwaitAssert(() =>
        {
            feed.Tell(GetFeedStatus.Instance);
            Assert.Equal(5, ExpectMsg<FeedStatus>().DesiredSubscriptions);
        });
        var (t, _) = AcceptConnection();
        foreach (var size in new[] { 2, 2, 1 })
        {
            Assert.Equal(size, Items(ExpectSent(t, "REG")).Length);
            t.Push(RegOk);
            for (var i = 0; i < size; i++) me.ExpectMsg<SubscriptionConfirmed>();   // the reply was handled: the pause runs
            if (size == 1) break;
            AdvanceExpectingNothingBefore(Settings.ReplayBatchInterval, Wire);  // the next batch waits the interval
        }
        Assert.Empty(AllConfirmations(me));
    }

    [Fact]
    public async Task Shutdown_while_reconnecting_must_stop_at_once_and_not_connect_again()
    {
        Settings = Settings with { RevokeTokenOnStop = true };
        var feed = StartFeed();
        var (t, token) = AcceptConnection();
        var me = CreateTestProbe();
        SubscribeConfirmed(feed, t, me, "005930");
        t.ServerClose(WebSocketCloseStatus.InternalServerError, "boom");
        var decision = ExpectDecision(FeedComponent.Connection);
        ExpectState(FeedState.Reconnecting);

        await feed.Ask<FeedProtocol.Stopped>(FeedProtocol.Stop.Instance, TimeSpan.FromSeconds(10));
        ExpectState(FeedState.Stopped);
        TokenCalls.FishForMessage(m => m is TokenRevokedOnServer r && r.Token == token);
        Scheduler.Advance(decision.Delay * 4);                              // long past the restart that was scheduled
        Wire.ExpectNoMsg(Quiet);                                           // no new socket
    }

    [Fact]
    public void Metrics_must_count_attempts_disconnects_recovery_ticks_and_active_subscriptions()
    {
        var feedTag = $"{Sys.Name}/actorfeed";
        var seen = new List<(string Instrument, double Value, string? Tag)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == FeedMetrics.MeterName) l.EnableMeasurementEvents(i); };
        void Record(Instrument i, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? feed = null, cause = null;
            foreach (var tag in tags) { if (tag.Key == "feed") feed = tag.Value as string; if (tag.Key == "cause") cause = tag.Value as string; }
            if (feed == feedTag) lock (seen) seen.Add((i.Name, value, cause));
        }
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();

        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var me = CreateTestProbe();
        SubscribeConfirmed(feed, t1, me, "005930");
        t1.Push(Real("005930"));
        me.ExpectMsg<Tick>();
        t1.ServerClose(WebSocketCloseStatus.NormalClosure);
        Scheduler.Advance(ExpectDecision(FeedComponent.Connection).Delay);
        var (t2, _) = AcceptConnection();
        ExpectSent(t2, "REG");
        t2.Push(RegOk);
        t2.Push(Real("005930") + "\n");
        me.ExpectMsg<SubscriptionGap>();                              // the pair was interrupted: its gap comes first
        me.ExpectMsg<Tick>();
        feed.Tell(new Unsubscribe("005930", "0B", me));
        me.ExpectMsg<SubscriptionRemoved>();

        AwaitAssert(() =>
        {
            lock (seen)
            {
                double Sum(string name) => seen.Where(s => s.Instrument == name).Sum(s => s.Value);
                Assert.Equal(2, Sum("actorfeed.connection.attempts"));
                Assert.Equal([FeedFailureException.Causes.ServerClosed], seen.Where(s => s.Instrument == "actorfeed.connection.disconnects").Select(s => s.Tag));
                Assert.Single(seen, s => s.Instrument == "actorfeed.connection.recovery_time" && s.Value >= 0);
                Assert.Equal(2, Sum("actorfeed.ticks"));
                Assert.Equal([1.0, -1.0], seen.Where(s => s.Instrument == "actorfeed.subscriptions.active").Select(s => s.Value));
            }
        });
    }
}
