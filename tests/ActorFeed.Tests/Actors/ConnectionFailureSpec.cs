using System.Net.WebSockets;
using Akka.Actor;
using ActorFeed.Actors;
using ActorFeed.Messages;
using ActorFeed.Tests.Fakes;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>The link rows of DESIGN.md's failure table, driven through the whole actor tree on fakes.</summary>
public sealed class ConnectionFailureSpec(ITestOutputHelper output) : FeedSpecBase(output)
{
    [Fact]
    public void Feed_must_log_in_with_the_raw_token_and_register_a_subscription()
    {
        StartFeed();
        var (t, token) = AcceptConnection();
        Assert.StartsWith("token-", token);
        var subscriber = CreateTestProbe();
        Sys.ActorSelection("/user/actorfeed").Tell(new Subscribe("005930", "0B", subscriber));
        var reg = ExpectSent(t, "REG");
        Assert.Equal(["005930"], Items(reg));
        Assert.Contains("\"grp_no\":\"1\"", reg);
        Assert.Contains("\"refresh\":\"1\"", reg);
        Assert.Contains("\"type\":[\"0B\"]", reg);
        t.Push(RegOk);
        subscriber.ExpectMsg(new SubscriptionConfirmed("005930", "0B"));
        t.Push(Real("005930"));
        var tick = subscriber.ExpectMsg<Tick>();
        Assert.Equal("005930", tick.Code);
        Assert.Equal(20800m, tick.Price);
        Assert.Equal("-20800", tick.Values["10"]);
    }

    [Fact]
    public void Connection_must_restart_with_backoff_log_in_again_and_replay_after_the_server_closes()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var subscriber = CreateTestProbe();
        feed.Tell(new Subscribe("005930", "0B", subscriber));
        feed.Tell(new Subscribe("000660", "0B", subscriber));
        ExpectSent(t1, "REG"); t1.Push(RegOk);
        ExpectSent(t1, "REG"); t1.Push(RegOk);
        subscriber.ExpectMsg<SubscriptionConfirmed>();
        subscriber.ExpectMsg<SubscriptionConfirmed>();

        t1.ServerClose(WebSocketCloseStatus.NormalClosure, "bye");
        var decision = ExpectDecision("connection");
        Assert.Equal(FeedFailureException.Causes.ServerClosed, decision.Cause);
        Assert.Equal(1, decision.Attempt);
        Assert.Equal(TimeSpan.FromSeconds(1), decision.Delay);
        var status = ExpectState(FeedState.Reconnecting);
        Assert.Equal(FeedFailureException.Causes.ServerClosed, status.Cause);
        Assert.NotNull(status.NextRetryAt);

        Scheduler.Advance(decision.Delay);
        var (t2, _) = AcceptConnection();
        var replay = ExpectSent(t2, "REG");
        Assert.Equal(["005930", "000660"], Items(replay).Order().Reverse().ToArray());
        t2.Push(RegOk);
        // confirmed again silently: the subscriber was told once
        t2.Push(Real("000660"));
        Assert.Equal("000660", subscriber.ExpectMsg<Tick>().Code);
        feed.Tell(GetFeedStatus.Instance);
        var s = ExpectMsg<FeedStatus>();
        Assert.Equal(FeedState.Connected, s.State);
        Assert.Equal(2, s.DesiredSubscriptions);
        Assert.Equal(2, s.ConfirmedSubscriptions);
    }
}
