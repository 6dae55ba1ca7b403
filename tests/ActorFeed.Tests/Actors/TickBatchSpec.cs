using System.Net.WebSockets;
using Akka.Actor;
using Akka.TestKit;
using ActorFeed.Messages;
using ActorFeed.Supervision;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>
/// <see cref="Subscribe.Batched"/>: a subscriber that asks for batches gets one <see cref="TickBatch"/> per received
/// frame holding its ticks of that frame, over codes and types, in frame order; others keep getting one
/// <see cref="Tick"/> each; gap notices keep their place.
/// </summary>
public sealed class TickBatchSpec(ITestOutputHelper output) : FeedSpecBase(output)
{
    [Fact]
    public void Batched_subscriber_must_get_one_batch_per_frame_with_its_ticks_in_frame_order_while_others_get_single_ticks()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var single = CreateTestProbe();
        var batched = CreateTestProbe();
        SubscribeConfirmed(feed, t, single, "005930");
        feed.Tell(new Subscribe("005930", "0B", batched) { Batched = true });
        batched.ExpectMsg(new SubscriptionConfirmed("005930", "0B"));
        feed.Tell(new Subscribe("000660", "0B", batched) { Batched = true });
        ExpectSent(t, "REG");
        t.Push(RegOk);
        batched.ExpectMsg(new SubscriptionConfirmed("000660", "0B"));

        t.Push(Frame(("005930", 1), ("000660", 2), ("035720", 3), ("005930", 4)));    // 035720: nobody's
        var batch = batched.ExpectMsg<TickBatch>();
        Assert.Equal([("005930", 1m), ("000660", 2m), ("005930", 4m)], batch.Ticks.Select(x => (x.Code, x.Price!.Value)));
        Assert.Equal([1m, 4m], [single.ExpectMsg<Tick>().Price!.Value, single.ExpectMsg<Tick>().Price!.Value]);
        batched.ExpectNoMsg(Quiet);                                                   // one batch for the whole frame
        single.ExpectNoMsg(TimeSpan.Zero);

        // the latest Subscribe decides: 005930 back to single ticks, 000660 still batched
        feed.Tell(new Subscribe("005930", "0B", batched));
        batched.ExpectMsg(new SubscriptionConfirmed("005930", "0B"));
        t.Push(Frame(("005930", 5), ("000660", 6)));
        Assert.Equal(5m, batched.ExpectMsg<Tick>().Price);
        Assert.Equal([("000660", 6m)], batched.ExpectMsg<TickBatch>().Ticks.Select(x => (x.Code, x.Price!.Value)));
        Assert.Equal(5m, single.ExpectMsg<Tick>().Price);
    }

    [Fact]
    public void Subscriber_batched_for_one_code_and_not_for_another_must_get_the_frame_in_order()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var probe = CreateTestProbe();
        SubscribeConfirmed(feed, t, probe, "005930");                               // single ticks
        feed.Tell(new Subscribe("000660", "0B", probe) { Batched = true });
        ExpectSent(t, "REG");
        t.Push(RegOk);
        probe.ExpectMsg(new SubscriptionConfirmed("000660", "0B"));

        t.Push(Frame(("000660", 1), ("005930", 2), ("000660", 3)));
        // what it collected before the single tick goes first, then the tick, then the rest at the end of the frame
        Assert.Equal([1m], probe.ExpectMsg<TickBatch>().Ticks.Select(x => x.Price!.Value));
        Assert.Equal(2m, probe.ExpectMsg<Tick>().Price);
        Assert.Equal([3m], probe.ExpectMsg<TickBatch>().Ticks.Select(x => x.Price!.Value));
        probe.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Route_must_keep_frame_order_when_a_subscriber_switches_from_batches_to_single_ticks_mid_frame()
    {
        // the switch (the SubscriptionActor publishing Batched = false) lands between two ticks of one frame
        var route = new ActorFeed.Subscriptions.TickRoute("005930");
        var probe = CreateTestProbe();
        var owner = CreateTestProbe();
        var subscribers = new Dictionary<string, HashSet<IActorRef>> { ["0B"] = [probe.Ref] };
        route.Publish(subscribers, owner.Ref, ("0B", probe.Ref, true));
        var batches = new ActorFeed.Subscriptions.FrameBatches(null);
        var now = Environment.TickCount64;
        Tick TickAt(int price) => new("005930", "0B", "주식체결", new Dictionary<string, string> { ["10"] = price.ToString(System.Globalization.CultureInfo.InvariantCulture) }, DateTimeOffset.UtcNow);

        route.Deliver(TickAt(1), now, null, batches);
        route.Publish(subscribers, owner.Ref, ("0B", probe.Ref, false));
        route.Deliver(TickAt(2), now, null, batches);
        batches.SendAll();

        Assert.Equal([1m], probe.ExpectMsg<TickBatch>().Ticks.Select(x => x.Price!.Value));
        Assert.Equal(2m, probe.ExpectMsg<Tick>().Price);
        probe.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Route_must_send_nothing_more_of_a_pair_its_subscriber_left_mid_frame()
    {
        var route = new ActorFeed.Subscriptions.TickRoute("005930");
        var probe = CreateTestProbe();
        var owner = CreateTestProbe();
        route.Publish(new Dictionary<string, HashSet<IActorRef>> { ["0B"] = [probe.Ref] }, owner.Ref, ("0B", probe.Ref, true));
        var batches = new ActorFeed.Subscriptions.FrameBatches(null);
        route.Deliver(new Tick("005930", "0B", "주식체결", new Dictionary<string, string> { ["10"] = "1" }, DateTimeOffset.UtcNow),
            Environment.TickCount64, null, batches);
        route.Publish([], owner.Ref);                                                 // unsubscribed while the frame is delivered
        batches.SendAll();
        probe.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Batched_subscriber_must_get_each_gap_after_the_ticks_before_it_and_before_the_tick_that_ends_it()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var probe = CreateTestProbe();
        foreach (var code in new[] { "005930", "000660" })
        {
            feed.Tell(new Subscribe(code, "0B", probe) { Batched = true });
            ExpectSent(t1, "REG");
            t1.Push(RegOk);
            probe.ExpectMsg(new SubscriptionConfirmed(code, "0B"));
        }
        t1.Push(Frame(("005930", 1), ("000660", 1)));
        Assert.Equal(2, probe.ExpectMsg<TickBatch>().Ticks.Count);

        t1.ServerClose(WebSocketCloseStatus.NormalClosure, "bye");
        var decision = ExpectDecision(FeedComponent.Connection);
        Scheduler.Advance(decision.Delay);
        var (t2, _) = AcceptConnection();
        ExpectSent(t2, "REG");
        t2.Push(RegOk);
        probe.ExpectNoMsg(Quiet);                                                     // confirmed again silently, no gap before a tick

        t2.Push(Frame(("005930", 2), ("000660", 3), ("005930", 4)));
        Assert.Equal("005930", probe.ExpectMsg<SubscriptionGap>().Code);
        Assert.Equal([("005930", 2m)], probe.ExpectMsg<TickBatch>().Ticks.Select(x => (x.Code, x.Price!.Value)));
        Assert.Equal("000660", probe.ExpectMsg<SubscriptionGap>().Code);
        Assert.Equal([("000660", 3m), ("005930", 4m)], probe.ExpectMsg<TickBatch>().Ticks.Select(x => (x.Code, x.Price!.Value)));
        probe.ExpectNoMsg(Quiet);                                                     // exactly once each

        t2.Push(Frame(("005930", 5), ("000660", 6)));
        Assert.Equal(2, probe.ExpectMsg<TickBatch>().Ticks.Count);                    // no gap any more
    }

    private static string Frame(params (string Code, int Price)[] entries) =>
        "{\"trnm\":\"REAL\",\"data\":[" + string.Join(",", entries.Select(e =>
            "{\"type\":\"0B\",\"name\":\"주식체결\",\"item\":\"" + e.Code + "\",\"values\":{\"20\":\"165208\",\"10\":\"+" + e.Price + "\"}}")) + "]}";
}
