using System.Net.WebSockets;
using ActorFeed.Messages;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>
/// The FeedSupervisor's answer to the dashboard (<see cref="FeedProtocol.GetPairStats"/>): per pair the ticks counted on
/// the tick route, the last tick, the gap notices and the last one, with the status <see cref="GetFeedStatus"/> gives.
/// </summary>
public sealed class DashboardStatsSpec(ITestOutputHelper output) : FeedSpecBase(output)
{
    private FeedProtocol.PairStats Stats(Akka.Actor.ICanTell feed)
    {
        feed.Tell(FeedProtocol.GetPairStats.Instance, TestActor);
        return ExpectMsg<FeedProtocol.PairStats>();
    }

    [Fact]
    public void Feed_must_answer_the_dashboard_with_each_pairs_ticks_last_tick_and_gaps()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var a = CreateTestProbe();
        SubscribeConfirmed(feed, t1, a, "005930");
        SubscribeConfirmed(feed, t1, a, "000660");
        var pair = Assert.Single(Stats(feed).Pairs, p => p.Code == "005930");
        Assert.Equal(("0B", true, 0L, 0, (Tick?)null, (SubscriptionGap?)null), (pair.Type, pair.Confirmed, pair.Ticks, pair.Gaps, pair.Last, pair.LastGap));

        t1.Push(Trade("005930", cumulative: 1000, volume: "+10"));
        a.ExpectMsg<Tick>();
        t1.Push(Trade("005930", cumulative: 1010, volume: "+10"));
        var last = a.ExpectMsg<Tick>();
        var stats = Stats(feed);
        Assert.Equal(["000660", "005930"], stats.Pairs.Select(p => p.Code));                   // sorted
        pair = stats.Pairs[1];
        Assert.Equal(2, pair.Ticks);
        Assert.Same(last, pair.Last);
        Assert.Equal(TimeSpan.Zero, pair.Silent);                                            // the manual clock did not move
        Assert.Equal(0, stats.Pairs[0].Ticks);

        t1.ServerClose(WebSocketCloseStatus.NormalClosure, "bye");
        var decision = ExpectDecision(FeedComponent.Connection);
        var down = Stats(feed);
        Assert.Equal(FeedState.Reconnecting, down.Status.State);
        feed.Tell(GetFeedStatus.Instance, TestActor);
        Assert.Equal(ExpectMsg<FeedStatus>() with { RecentDrops = down.Status.RecentDrops }, down.Status);   // the status GetFeedStatus gives
        Assert.All(down.Pairs, p => Assert.False(p.Confirmed));
        Scheduler.Advance(decision.Delay);
        var (t2, _) = AcceptConnection();
        ExpectSent(t2, "REG");
        t2.Push(RegOk);
        t2.Push(Trade("005930", cumulative: 1500, volume: "-20"));
        a.ExpectMsg<SubscriptionGap>();
        a.ExpectMsg<Tick>();

        pair = Stats(feed).Pairs[1];
        Assert.True(pair.Confirmed);
        Assert.Equal(3, pair.Ticks);
        Assert.Equal(1, pair.Gaps);
        Assert.Equal((FeedFailureException.Causes.ServerClosed, 1500L - 1010 - 20), (pair.LastGap!.Cause, pair.LastGap.MissedVolume));
    }

    private static string Trade(string code, long cumulative, string volume) =>
        "{\"trnm\":\"REAL\",\"data\":[{\"type\":\"0B\",\"name\":\"주식체결\",\"item\":\"" + code
        + "\",\"values\":{\"20\":\"165208\",\"10\":\"-20800\",\"13\":\"" + cumulative + "\",\"15\":\"" + volume + "\"}}]}";
}
