using System.Diagnostics.Metrics;
using Akka.Actor;
using Akka.TestKit;
using ActorFeed.Diagnostics;
using ActorFeed.Messages;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>
/// <c>actorfeed.subscription.max-pending-ticks</c>: a subscriber actor that does not keep up has at most the limit of
/// messages queued; the latest tick of each code still reaches it, and what was replaced is counted.
/// </summary>
public sealed class SlowSubscriberSpec : FeedSpecBase, IDisposable
{
    private const int Limit = 3;
    private readonly ManualResetEventSlim _open = new();
    private readonly Dictionary<string, long> _dropped = [];
    private readonly MeterListener _meter = new();

    public SlowSubscriberSpec(ITestOutputHelper output) : base(output)
    {
        var feedTag = $"{Sys.Name}/actorfeed";
        _meter.InstrumentPublished = (i, l) => { if (i.Meter.Name == FeedMetrics.MeterName && i.Name == "actorfeed.ticks.dropped") l.EnableMeasurementEvents(i); };
        _meter.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? feed = null, code = null;
            foreach (var tag in tags) { if (tag.Key == "feed") feed = tag.Value as string; if (tag.Key == "code") code = tag.Value as string; }
            if (feed == feedTag) lock (_dropped) _dropped[code!] = _dropped.GetValueOrDefault(code!) + value;
        });
        _meter.Start();
    }

    void IDisposable.Dispose()
    {
        _open.Set();            // never leave a dispatcher thread blocked
        _meter.Dispose();
    }

    [Fact]
    public void Slow_subscriber_must_have_at_most_the_limit_queued_get_the_latest_tick_per_code_and_the_rest_counted_as_dropped()
    {
        Settings = Settings with { MaxPendingTicks = Limit };
        var (feed, t, probe, subscriber) = BlockedSubscriber("005930", "000660");

        // 100 ticks of 005930 (prices 2..101) and 50 of 000660 (1..50), interleaved, two entries per frame
        for (var i = 0; i < 50; i++)
        {
            t.Push(Frame(("005930", 2 + 2 * i), ("000660", 1 + i)));
            t.Push(Frame(("005930", 3 + 2 * i)));
        }
        // 3 queued behind the blocked one, one held per code, the other 145 replaced while held
        AwaitAssert(() => { lock (_dropped) Assert.Equal(145, _dropped.Values.Sum()); });
        lock (_dropped) Assert.Equal(2, _dropped.Count);                                     // tagged with each code
        Assert.Equal(Limit, Queued(subscriber));
        Scheduler.Advance(PendingTickLimit.FlushInterval);                                   // the subscriber is still behind: nothing more
        Assert.Equal(Limit, Queued(subscriber));

        _open.Set();
        var first = new[] { probe.ExpectMsg<Tick>(), probe.ExpectMsg<Tick>(), probe.ExpectMsg<Tick>(), probe.ExpectMsg<Tick>() };
        Assert.Equal([("005930", 1m), ("005930", 2m), ("000660", 1m), ("005930", 3m)], first.Select(x => (x.Code, x.Price!.Value)));
        probe.ExpectNoMsg(Quiet);                                                            // held until the next check (or the next tick of its code)
        AdvanceExpectingNothingBefore(PendingTickLimit.FlushInterval, probe);
        var latest = new[] { probe.ExpectMsg<Tick>(), probe.ExpectMsg<Tick>() };
        Assert.Equal([("000660", 50m), ("005930", 101m)], latest.Select(x => (x.Code, x.Price!.Value)).Order());
        Scheduler.Advance(PendingTickLimit.FlushInterval);
        probe.ExpectNoMsg(Quiet);                                                            // nothing twice

        t.Push(Frame(("005930", 102)));                                                      // caught up: ticks flow again, none dropped
        Assert.Equal(102m, probe.ExpectMsg<Tick>().Price);
        lock (_dropped) Assert.Equal(145, _dropped.Values.Sum());
        feed.Tell(GetFeedStatus.Instance);
        Assert.Equal(FeedState.Connected, ExpectMsg<FeedStatus>().State);
    }

    [Fact]
    public void Slow_subscriber_must_get_nothing_held_for_it_after_it_unsubscribed()
    {
        Settings = Settings with { MaxPendingTicks = Limit };
        var (feed, t, probe, subscriber) = BlockedSubscriber("005930");
        for (var i = 2; i <= 10; i++) t.Push(Frame(("005930", i)));
        AwaitAssert(() => { lock (_dropped) Assert.Equal(5, _dropped.Values.Sum()); });       // 2..4 queued, 10 held
        feed.Tell(new Unsubscribe("005930", "0B", subscriber));
        AwaitAssert(() => Assert.Equal(Limit + 1, Queued(subscriber)));                      // SubscriptionRemoved queued behind the ticks
        _open.Set();
        Assert.Equal([1m, 2m, 3m, 4m], Enumerable.Range(0, 4).Select(_ => probe.ExpectMsg<Tick>().Price!.Value));
        probe.ExpectMsg<SubscriptionRemoved>();
        Scheduler.Advance(PendingTickLimit.FlushInterval);
        probe.ExpectNoMsg(Quiet);                                                            // the held tick (10) is gone with the subscription
    }

    [Fact]
    public void Slow_subscriber_must_be_given_every_tick_when_the_limit_is_off()
    {
        Settings = Settings with { MaxPendingTicks = 0 };
        var (_, t, probe, subscriber) = BlockedSubscriber("005930");
        for (var i = 2; i <= 50; i++) t.Push(Frame(("005930", i)));
        AwaitAssert(() => Assert.Equal(49, Queued(subscriber)));
        _open.Set();
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (decimal)i), Enumerable.Range(0, 50).Select(_ => probe.ExpectMsg<Tick>().Price!.Value));
        lock (_dropped) Assert.Empty(_dropped);
    }

    [Fact]
    public void Slow_batched_subscriber_must_have_at_most_the_limit_of_batches_queued_and_get_the_latest_tick_per_code_in_batches_of_one()
    {
        Settings = Settings with { MaxPendingTicks = Limit };
        var (feed, t, probe, subscriber) = BlockedSubscriber(batched: true, "005930", "000660");

        // 100 frames of one tick of each code (prices 2..101) behind the blocked first batch
        for (var i = 2; i <= 101; i++) t.Push(Frame(("005930", i), ("000660", i)));
        // 3 batches (6 ticks) queued, one tick held per code, the other 192 replaced while held
        AwaitAssert(() => { lock (_dropped) Assert.Equal(192, _dropped.Values.Sum()); });
        Assert.Equal(Limit, Queued(subscriber));

        _open.Set();
        Assert.Equal([("005930", 1m)], probe.ExpectMsg<TickBatch>().Ticks.Select(x => (x.Code, x.Price!.Value)));
        for (var i = 2; i <= 4; i++)
            Assert.Equal([("005930", (decimal)i), ("000660", i)], probe.ExpectMsg<TickBatch>().Ticks.Select(x => (x.Code, x.Price!.Value)));
        probe.ExpectNoMsg(Quiet);                                                            // held until the next check
        AdvanceExpectingNothingBefore(PendingTickLimit.FlushInterval, probe);
        var latest = new[] { probe.ExpectMsg<TickBatch>(), probe.ExpectMsg<TickBatch>() };
        Assert.Equal([("000660", 101m), ("005930", 101m)], latest.Select(b => (b.Ticks.Single().Code, b.Ticks.Single().Price!.Value)).Order());

        t.Push(Frame(("005930", 102), ("000660", 102)));                                     // caught up: whole frames again
        Assert.Equal(2, probe.ExpectMsg<TickBatch>().Ticks.Count);
        lock (_dropped) Assert.Equal(192, _dropped.Values.Sum());
        feed.Tell(GetFeedStatus.Instance);
        Assert.Equal(FeedState.Connected, ExpectMsg<FeedStatus>().State);
    }

    private (IActorRef Feed, Testing.Fakes.FakeTransport Transport, TestProbe Probe, IActorRef Subscriber) BlockedSubscriber(params string[] codes) =>
        BlockedSubscriber(batched: false, codes);

    /// <summary>
    /// A connected feed and a subscriber to <paramref name="codes"/> that forwards what it gets to the returned probe,
    /// blocked in its first tick (price 1 of the first code) until the spec opens the gate; <paramref name="batched"/>:
    /// subscribed for <see cref="TickBatch"/> messages.
    /// </summary>
    private (IActorRef Feed, Testing.Fakes.FakeTransport Transport, TestProbe Probe, IActorRef Subscriber) BlockedSubscriber(bool batched, params string[] codes)
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var probe = CreateTestProbe();
        var subscriber = Sys.ActorOf(Props.Create(() => new Blocking(_open, probe)));
        foreach (var code in codes)
        {
            feed.Tell(new Subscribe(code, "0B", subscriber) { Batched = batched });
            ExpectSent(t, "REG");
            t.Push(RegOk);
            probe.ExpectMsg<SubscriptionConfirmed>();
        }
        t.Push(Frame((codes[0], 1)));
        probe.ExpectMsg<Entered>();                                                          // now inside the first tick, blocked
        return (feed, t, probe, subscriber);
    }

    private static int Queued(IActorRef subscriber) => ((ActorRefWithCell)subscriber).Underlying.NumberOfMessages;

    private static string Frame(params (string Code, int Price)[] entries) =>
        "{\"trnm\":\"REAL\",\"data\":[" + string.Join(",", entries.Select(e =>
            "{\"type\":\"0B\",\"name\":\"주식체결\",\"item\":\"" + e.Code + "\",\"values\":{\"20\":\"165208\",\"10\":\"+" + e.Price + "\"}}")) + "]}";

    private sealed record Entered;

    /// <summary>Blocks in its first tick until the gate opens, then forwards every message to the probe.</summary>
    private sealed class Blocking : ReceiveActor
    {
        public Blocking(ManualResetEventSlim open, IActorRef probe)
        {
            var first = true;
            void Block()
            {
                if (!first) return;
                first = false;
                probe.Tell(new Entered());
                if (!open.Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException("the spec never opened the gate");
            }
            Receive<Tick>(tick =>
            {
                Block();
                probe.Tell(tick);
            });
            Receive<TickBatch>(batch =>
            {
                Block();
                probe.Tell(batch);
            });
            ReceiveAny(probe.Tell);
        }
    }
}
