using System.Net.WebSockets;
using ActorFeed.Messages;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>
/// The FeedSupervisor's answer to <see cref="GetSubscriptionStats"/> (the dashboard's question, public): per pair the ticks
/// counted on the tick route, the last tick's time and price, the gap notices and the last one, with the status
/// <see cref="GetFeedStatus"/> gives.
/// </summary>
public sealed class DashboardStatsSpec(ITestOutputHelper output) : FeedSpecBase(output)
{
    private SubscriptionStats Stats(Akka.Actor.ICanTell feed)
    {
        feed.Tell(GetSubscriptionStats.Instance, TestActor);
        return ExpectMsg<SubscriptionStats>();
    }

    [Fact]
    public void Feed_must_answer_GetSubscriptionStats_with_each_pairs_ticks_last_tick_and_gaps()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var a = CreateTestProbe();
        SubscribeConfirmed(feed, t1, a, "005930");
        SubscribeConfirmed(feed, t1, a, "000660");
        var pair = Assert.Single(Stats(feed).Subscriptions, p => p.Code == "005930");
        Assert.Equal(("0B", true, 0L, 0, (DateTimeOffset?)null, (decimal?)null, (SubscriptionGap?)null),
            (pair.Type, pair.Confirmed, pair.Ticks, pair.Gaps, pair.LastTickAt, pair.LastPrice, pair.LastGap));
        Assert.Equal(("Regular", true), (pair.Session, pair.DataExpected));                     // the calendar of the test settings: always

        t1.Push(Trade("005930", cumulative: 1000, volume: "+10"));
        a.ExpectMsg<Tick>();
        t1.Push(Trade("005930", cumulative: 1010, volume: "+10"));
        var last = a.ExpectMsg<Tick>();
        var stats = Stats(feed);
        Assert.Equal(["000660", "005930"], stats.Subscriptions.Select(p => p.Code));                   // sorted
        pair = stats.Subscriptions[1];
        Assert.Equal(2, pair.Ticks);
        Assert.Equal((last.ReceivedAt, (decimal?)20800m), (pair.LastTickAt, pair.LastPrice));
        Assert.Equal(TimeSpan.Zero, pair.Silent);                                            // the manual clock did not move
        Assert.Equal(0, stats.Subscriptions[0].Ticks);

        t1.ServerClose(WebSocketCloseStatus.NormalClosure, "bye");
        var decision = ExpectDecision(FeedComponent.Connection);
        var down = Stats(feed);
        Assert.Equal(FeedState.Reconnecting, down.Status.State);
        feed.Tell(GetFeedStatus.Instance, TestActor);
        Assert.Equal(ExpectMsg<FeedStatus>() with { RecentDrops = down.Status.RecentDrops }, down.Status);   // the status GetFeedStatus gives
        Assert.All(down.Subscriptions, p => Assert.False(p.Confirmed));
        Scheduler.Advance(decision.Delay);
        var (t2, _) = AcceptConnection();
        ExpectSent(t2, "REG");
        t2.Push(RegOk);
        t2.Push(Trade("005930", cumulative: 1500, volume: "-20"));
        a.ExpectMsg<SubscriptionGap>();
        a.ExpectMsg<Tick>();

        pair = Stats(feed).Subscriptions[1];
        Assert.True(pair.Confirmed);
        Assert.Equal(3, pair.Ticks);
        Assert.Equal(1, pair.Gaps);
        Assert.Equal((FeedFailureException.Causes.ServerClosed, 1500L - 1010 - 20), (pair.LastGap!.Cause, pair.LastGap.MissedVolume));
    }

    private static string Trade(string code, long cumulative, string volume) =>
        "{\"trnm\":\"REAL\",\"data\":[{\"type\":\"0B\",\"name\":\"주식체결\",\"item\":\"" + code
        + "\",\"values\":{\"20\":\"165208\",\"10\":\"-20800\",\"13\":\"" + cumulative + "\",\"15\":\"" + volume + "\"}}]}";
}
