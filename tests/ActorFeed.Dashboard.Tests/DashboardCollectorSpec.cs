using System.Threading.Channels;
using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using ActorFeed.Hosting.Dashboard;
using ActorFeed.Messages;
using ActorFeed.Supervision;
using ActorFeed.Testing;

namespace ActorFeed.Dashboard.Tests;

/// <summary>The dashboard's memory: bounded, secret-free, and fed by the EventStream and the feed's answers.</summary>
public sealed class DashboardCollectorSpec() : TestKit(TestKitConfig.With("akka.loglevel = WARNING"))
{
    private const string AppKey = "collector-app-key-0123456789";
    private const string SecretKey = "collector-secret-key-0123456789";
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 0, 30, 0, TimeSpan.Zero);

    private static FeedStatus Status(FeedState state, string? cause = null, int attempt = 0, DateTimeOffset? downSince = null, DateTimeOffset? connectedSince = null) =>
        new(state, cause, attempt, null, connectedSince, 1, state == FeedState.Connected ? 1 : 0, false, downSince);

    /// <summary>A feed that answers the dashboard's questions with <paramref name="status"/>, no pair and
    /// <paramref name="conditions"/> (none by default).</summary>
    private IActorRef Feed(Func<FeedStatus> status, IReadOnlyList<FollowedCondition>? conditions = null)
    {
        var feed = CreateTestProbe();
        feed.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (message is GetSubscriptionStats) sender.Tell(new SubscriptionStats(status(), [], T0));
            if (message is GetConditionStatus) sender.Tell(new ConditionStatus(conditions ?? [], T0));
            return AutoPilot.KeepRunning;
        }));
        return feed.Ref;
    }

    private DashboardSnapshot Snapshot(IActorRef collector)
    {
        collector.Tell(DashboardCollector.GetSnapshot.Instance, TestActor);
        return ExpectMsg<DashboardSnapshot>();
    }

    private static SupervisionDecision Decision(int attempt, string detail = "boom") =>
        new(FeedComponent.Connection, "server closed the connection", FailureKind.Transient, attempt, TimeSpan.FromSeconds(1), T0.AddSeconds(attempt), detail);

    [Fact]
    public void DashboardCollector_must_show_a_retrying_condition_with_its_error_and_next_retry_scrubbed()
    {
        var retrying = new FollowedCondition(1, "조건1", FollowedConditionState.Retrying, 2, ["005930", "000660"], 1, [], null, 0, 0,
            $"server refused CNSRREQ of condition 1 (search_type 1): 조건검색 요청 실패 {AppKey}", T0.AddSeconds(2));
        var collector = Sys.ActorOf(DashboardCollector.Props(Feed(() => Status(FeedState.Connected), [retrying]), [AppKey, SecretKey]));
        var condition = Assert.Single(Snapshot(collector).Conditions);
        Assert.Equal(("retrying", T0.AddSeconds(2)), (condition.State, condition.NextRetryAt));
        Assert.StartsWith("server refused CNSRREQ of condition 1 (search_type 1): 조건검색 요청 실패", condition.LastError);
        var json = System.Text.Json.JsonSerializer.Serialize(Snapshot(collector), DashboardCollector.Json);
        Assert.DoesNotContain(AppKey, json);
        Assert.Contains("\"state\":\"retrying\"", json);
        Assert.Contains("\"nextRetryAt\":\"2026-11-30T00:30:02+00:00\"", json);
        Assert.Contains("\"lastError\":", json);
    }

    [Fact]
    public void DashboardCollector_must_keep_only_the_last_100_decisions_newest_first()

    {
        var collector = Sys.ActorOf(DashboardCollector.Props(Feed(() => Status(FeedState.Connected)), [AppKey, SecretKey]));
        Snapshot(collector);                                                     // subscribed to the EventStream before it started
        for (var i = 1; i <= 150; i++) Sys.EventStream.Publish(Decision(i));
        AwaitAssert(() => Assert.Equal(150, Snapshot(collector).Connection.Restarts));
        var timeline = Snapshot(collector).Timeline;
        Assert.Equal(DashboardCollector.TimelineSize, timeline.Count);
        Assert.Equal(Enumerable.Range(51, 100).Reverse(), timeline.Select(d => d.Attempt));
    }

    [Fact]
    public void DashboardCollector_must_scrub_the_credentials_from_causes_and_details()
    {
        var collector = Sys.ActorOf(DashboardCollector.Props(Feed(() => Status(FeedState.Reconnecting, $"bad key {AppKey}", 1)), [AppKey, SecretKey]));
        Snapshot(collector);
        Sys.EventStream.Publish(Decision(1, $"appkey={AppKey} secretkey={SecretKey}"));
        AwaitAssert(() => Assert.Single(Snapshot(collector).Timeline));
        var json = System.Text.Json.JsonSerializer.Serialize(Snapshot(collector), DashboardCollector.Json);
        Assert.DoesNotContain(AppKey, json);
        Assert.DoesNotContain(SecretKey, json);
        Assert.Contains("bad key ***..89", json);
    }

    [Fact]
    public async Task DashboardCollector_must_record_a_recovery_from_down_to_connected_and_tell_listeners_at_once()
    {
        var collector = Sys.ActorOf(DashboardCollector.Props(Feed(() => Status(FeedState.Connected)), [AppKey, SecretKey]));
        var events = Channel.CreateUnbounded<DashboardEvent>();
        collector.Tell(new DashboardCollector.Listen(events.Writer));
        Assert.Equal("snapshot", (await events.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5))).Name);

        Sys.EventStream.Publish(new FeedStatusChanged(Status(FeedState.Connected, connectedSince: T0)));
        Sys.EventStream.Publish(Decision(1));
        Sys.EventStream.Publish(new FeedStatusChanged(Status(FeedState.Reconnecting, "server closed the connection", 1, downSince: T0.AddSeconds(10))));
        Sys.EventStream.Publish(new FeedStatusChanged(Status(FeedState.Connected, connectedSince: T0.AddSeconds(12.5))));
        var names = new List<string>();
        while (names.Count(n => n == "state") < 3)
        {
            var evt = await events.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            if (evt.Name != "snapshot") names.Add(evt.Name);                   // a 1 Hz snapshot may come in between
        }
        Assert.Equal(["state", "decision", "state", "state"], names);

        var connection = Snapshot(collector).Connection;
        Assert.Equal(1, connection.Recoveries);
        var recovery = Assert.Single(connection.RecentRecoveries);
        Assert.Equal((T0.AddSeconds(10), T0.AddSeconds(12.5), 2.5, "server closed the connection", 1),
            (recovery.DownAt, recovery.UpAt, recovery.Seconds, recovery.Cause, recovery.Attempts));

        collector.Tell(new DashboardCollector.Unlisten(events.Writer));
        await events.Reader.Completion.WaitAsync(TimeSpan.FromSeconds(5));     // the page's stream ends
    }
}
