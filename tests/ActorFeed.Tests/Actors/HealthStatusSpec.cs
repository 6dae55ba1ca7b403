using System.Net.WebSockets;
using Akka.Actor;
using ActorFeed.Messages;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>What FeedStatus tells a health check: link drops in the window and since when the link flaps, and since when
/// fewer pairs are confirmed than desired; every time from the feed's TimeProvider (a manual clock here).</summary>
public sealed class HealthStatusSpec(ITestOutputHelper output) : FeedSpecBase(output)
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Status_must_count_recent_drops_and_say_since_when_the_link_flaps_even_while_connected()
    {
        Settings = Settings with { FlappingDrops = 3, FlappingWindow = TimeSpan.FromMinutes(5) };
        var feed = StartFeed();
        var first = Time.GetUtcNow();
        for (var drop = 1; drop <= 3; drop++)
        {
            var (t, _) = AcceptConnection();                                // logged in, then dropped at once
            t.ServerClose(WebSocketCloseStatus.EndpointUnavailable);
            var decision = ExpectDecision(FeedComponent.Connection);
            var status = ExpectState(FeedState.Reconnecting);
            Assert.Equal(drop, status.RecentDrops);
            Assert.Equal(drop < 3 ? null : first + TimeSpan.FromSeconds(20), status.FlappingSince);
            Scheduler.Advance(decision.Delay);
            if (drop < 3) Time.Advance(TimeSpan.FromSeconds(10));
        }
        AcceptConnection();
        var now = Status(feed);
        Assert.Equal(FeedState.Connected, now.State);
        Assert.Equal(3, now.RecentDrops);
        Assert.Equal(first + TimeSpan.FromSeconds(20), now.FlappingSince);  // connected, and flapping all the same

        Time.Advance(first + TimeSpan.FromMinutes(5) - Ms - Time.GetUtcNow());
        Assert.Equal(first + TimeSpan.FromSeconds(20), Status(feed).FlappingSince);   // 1 ms before the first drop leaves the window
        Time.Advance(Ms);
        now = Status(feed);
        Assert.Null(now.FlappingSince);
        Assert.Equal(2, now.RecentDrops);
        Assert.Equal(FeedState.Connected, now.State);
    }

    [Fact]
    public void Status_must_say_since_when_fewer_pairs_are_confirmed_than_desired_across_reconnects()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        Assert.Null(Status(feed).UnconfirmedSince);                          // nothing desired
        var me = CreateTestProbe();
        var wanted = Time.GetUtcNow();
        feed.Tell(new Subscribe("005930", "0B", me));
        ExpectSent(t1, "REG");
        var status = Status(feed);
        Assert.Equal(wanted, status.UnconfirmedSince);
        Assert.Equal((1, 0), (status.DesiredSubscriptions, status.ConfirmedSubscriptions));
        Time.Advance(TimeSpan.FromSeconds(30));
        t1.Push(RegOk);
        me.ExpectMsg<SubscriptionConfirmed>();
        Assert.Null(Status(feed).UnconfirmedSince);

        Time.Advance(TimeSpan.FromSeconds(30));
        var dropped = Time.GetUtcNow();
        t1.ServerClose(WebSocketCloseStatus.EndpointUnavailable);
        var decision = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(dropped, ExpectState(FeedState.Reconnecting).UnconfirmedSince);
        Time.Advance(TimeSpan.FromSeconds(1));
        Scheduler.Advance(decision.Delay);
        var (t2, _) = AcceptConnection();
        ExpectSent(t2, "REG");                                               // the replay, not answered yet
        Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(dropped, Status(feed).UnconfirmedSince);                // since the drop, not since the reconnect
        t2.Push(RegOk);
        AwaitAssert(() => Assert.Null(Status(feed).UnconfirmedSince));

        var bad = CreateTestProbe();
        var rejectedAt = Time.GetUtcNow();
        feed.Tell(new Subscribe("999999", "0B", bad));
        ExpectSent(t2, "REG");
        Assert.Equal(rejectedAt, Status(feed).UnconfirmedSince);
        t2.Push(RegFailed);                                                  // a single item: rejected, leaves the desired set
        bad.ExpectMsg<SubscriptionRejected>();
        status = Status(feed);
        Assert.Null(status.UnconfirmedSince);
        Assert.Equal((1, 1), (status.DesiredSubscriptions, status.ConfirmedSubscriptions));
    }

    private FeedStatus Status(IActorRef feed)
    {
        feed.Tell(GetFeedStatus.Instance);
        return ExpectMsg<FeedStatus>();
    }
}
