using System.Diagnostics.Metrics;
using System.Net.WebSockets;
using Akka.Actor;
using ActorFeed.Diagnostics;
using ActorFeed.Messages;
using ActorFeed.Testing.Fakes;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>Desired state, ref-counting, replay, validation and bisection of rejected REGs.</summary>
public sealed class SubscriptionSpec(ITestOutputHelper output) : FeedSpecBase(output)
{
    [Fact]
    public void Feed_must_answer_invalid_input_without_any_traffic_to_the_connection()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new Subscribe("12", "0B", me));
        Assert.Contains("3 to 6", me.ExpectMsg<SubscriptionRejected>().Reason);
        feed.Tell(new Subscribe("005930", "0Z", me));
        Assert.Contains("unknown type '0Z'", me.ExpectMsg<SubscriptionRejected>().Reason);
        feed.Tell(new Subscribe("005930", "0b", me));
        Assert.Contains("unknown type '0b'", me.ExpectMsg<SubscriptionRejected>().Reason);
        feed.Tell(new Subscribe("005930", "00", me));
        Assert.Contains("per account", me.ExpectMsg<SubscriptionRejected>().Reason);
        feed.Tell(new Subscribe("00-930", "0B", me));
        Assert.Contains("'-'", me.ExpectMsg<SubscriptionRejected>().Reason);
        feed.Tell(new Subscribe("", "0B", me));
        Assert.Contains("code is missing", me.ExpectMsg<SubscriptionRejected>().Reason);
        feed.Tell(new Subscribe("005930", "0B"), ActorRefs.NoSender);
        // the first frame after all that is the REG of the one valid subscription
        feed.Tell(new Subscribe("000660", "0B", me));
        Assert.Equal(["000660"], Items(ExpectSent(t, "REG")));
    }

    [Fact]
    public void Feed_must_register_a_code_and_type_once_however_many_subscribe_while_connected()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        SubscribeConfirmed(feed, t, a, "005930");
        feed.Tell(new Subscribe("005930", "0B", b));
        b.ExpectMsg(new SubscriptionConfirmed("005930", "0B"));     // confirmed at once, no new REG
        feed.Tell(new Subscribe("005930", "0B", a));                // again: idempotent
        a.ExpectMsg(new SubscriptionConfirmed("005930", "0B"));
        feed.Tell(new Subscribe("005930", "0D", a));
        var next = ExpectSent(t, "REG");                             // the next REG is the new type only
        Assert.Equal(["005930"], Items(next));
        Assert.Contains("\"type\":[\"0D\"]", next);
        t.Push(RegOk);
        a.ExpectMsg(new SubscriptionConfirmed("005930", "0D"));
        t.Push(Real("005930"));
        a.ExpectMsg<Tick>(x => x.Type == "0B");
        b.ExpectMsg<Tick>(x => x.Type == "0B");
    }

    [Fact]
    public void Ticks_must_reach_only_the_subscribers_of_their_type_and_stop_once_removed_is_answered()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        var other = CreateTestProbe();
        SubscribeConfirmed(feed, t, a, "005930");
        feed.Tell(new Subscribe("005930", "0B", b));
        b.ExpectMsg<SubscriptionConfirmed>();
        feed.Tell(new Subscribe("005930", "0D", other));
        ExpectSent(t, "REG");
        t.Push(RegOk);
        other.ExpectMsg<SubscriptionConfirmed>();

        feed.Tell(new Unsubscribe("005930", "0B", a));
        a.ExpectMsg<SubscriptionRemoved>();
        t.Push(Real("005930"));                                     // a 0B tick
        Assert.Equal("0B", b.ExpectMsg<Tick>().Type);
        a.ExpectNoMsg(TimeSpan.FromMilliseconds(100));             // removed before the tick arrived
        other.ExpectNoMsg(TimeSpan.FromMilliseconds(100));         // subscribed to 0D only
    }

    [Fact]
    public void Feed_must_drop_a_dead_subscriber_and_send_REMOVE_when_the_last_one_leaves()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        feed.Tell(new Subscribe("005930", "0B", a));
        feed.Tell(new Subscribe("005930", "0B", b));
        feed.Tell(new Subscribe("000660", "0B", b));
        ExpectSent(t, "REG"); t.Push(RegOk);
        ExpectSent(t, "REG"); t.Push(RegOk);
        a.ExpectMsg<SubscriptionConfirmed>();
        b.ExpectMsg<SubscriptionConfirmed>();
        b.ExpectMsg<SubscriptionConfirmed>();

        Watch(a.Ref);
        Sys.Stop(a.Ref);
        ExpectTerminated(a.Ref);
        t.Push(Real("005930"));
        b.ExpectMsg<Tick>();                                        // b still gets it; a is gone quietly

        Watch(b.Ref);
        Sys.Stop(b.Ref);
        ExpectTerminated(b.Ref);
        var removes = new[] { ExpectSent(t, "REMOVE") };
        t.Push(RemoveOk);
        var second = ExpectSent(t, "REMOVE");
        t.Push(RemoveOk);
        Assert.Equal(["000660", "005930"], removes.Append(second).SelectMany(Items).Order().ToArray());
        Assert.DoesNotContain("refresh", second);
        AwaitAssert(() =>
        {
            feed.Tell(GetFeedStatus.Instance);
            Assert.Equal(0, ExpectMsg<FeedStatus>().DesiredSubscriptions);
        });
    }

    [Fact]
    public void Unsubscribe_must_answer_removed_and_send_REMOVE_after_the_last_subscriber()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var a = CreateTestProbe();
        SubscribeConfirmed(feed, t, a, "005930");
        feed.Tell(new Unsubscribe("005930", "0B", a));
        a.ExpectMsg(new SubscriptionRemoved("005930", "0B"));
        Assert.Equal(["005930"], Items(ExpectSent(t, "REMOVE")));
        t.Push(RemoveOk);
        // subscribing again after the actor stopped works from scratch
        feed.Tell(new Subscribe("005930", "0B", a));
        Assert.Equal(["005930"], Items(ExpectSent(t, "REG")));
        t.Push(RegOk);
        a.ExpectMsg<SubscriptionConfirmed>();
    }

    [Fact]
    public void Feed_must_survive_a_code_resubscribed_while_its_previous_actor_is_still_stopping()
    {
        var feed = StartFeed();
        var me = CreateTestProbe();
        for (var i = 0; i < 500; i++)
        {
            feed.Tell(new Subscribe("005930", "0B", me));
            feed.Tell(new Unsubscribe("005930", "0B", me));
            me.ExpectMsg<SubscriptionRemoved>();
        }
        feed.Tell(new Subscribe("005930", "0B", me));
        AwaitDesired(feed, 1);
        Assert.DoesNotContain(Logs.Snapshot(this), l => l.Contains("InvalidActorNameException") || l.StartsWith("Error"));
        var (t, _) = AcceptConnection();
        Assert.Equal(["005930"], Items(ExpectSent(t, "REG")));
    }

    [Fact]
    public void Feed_must_replay_every_desired_pair_exactly_once_in_batches_after_each_reconnect()
    {
        Settings = Settings with { MaxItemsPerRequest = 100 };
        var feed = StartFeed();
        var me = CreateTestProbe();
        var codes = Enumerable.Range(1, 250).Select(i => i.ToString("D6")).ToList();
        foreach (var c in codes) feed.Tell(new Subscribe(c, "0B", me));    // before the first connection
        foreach (var c in codes.Take(10)) feed.Tell(new Subscribe(c, "0D", me));
        AwaitDesired(feed, 260);

        for (var round = 0; round < 2; round++)
        {
            if (round > 0) AdvanceExpectingNothingBefore(ExpectDecision(FeedComponent.Connection).Delay, Wire);
            var (t, _) = AcceptConnection();
            var registered = new List<string>();
            var sizes = new List<int>();
            while (registered.Count < 260)
            {
                var reg = ExpectSent(t, "REG");
                var items = Items(reg);
                sizes.Add(items.Length);
                var type = reg.Contains("\"0D\"") ? "0D" : "0B";
                registered.AddRange(items.Select(i => i + "/" + type));
                t.Push(RegOk);
            }
            Assert.Equal([100, 100, 50, 10], sizes);                  // replayed in batches of at most 100, one type each
            Assert.Equal(260, registered.Distinct().Count());           // each pair once
            Assert.Equal(codes.Select(c => c + "/0B").Concat(codes.Take(10).Select(c => c + "/0D")).Order(), registered.Order());
            AwaitAssert(() =>
            {
                feed.Tell(GetFeedStatus.Instance);
                Assert.Equal(260, ExpectMsg<FeedStatus>().ConfirmedSubscriptions);
            });
            t.ServerClose(WebSocketCloseStatus.EndpointUnavailable);
        }
        Assert.Equal(260, AllConfirmations(me).Count);               // told once, not per reconnect
    }

    [Fact]
    public void Subscriptions_made_one_at_a_time_must_go_out_as_one_batch_while_a_request_is_in_flight()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        var bad = CreateTestProbe();
        feed.Tell(new Subscribe("000001", "0B", me));
        Assert.Equal(["000001"], Items(ExpectSent(t, "REG")));       // in flight
        foreach (var c in new[] { "000002", "000003", "000004" }) feed.Tell(new Subscribe(c, "0B", me));
        feed.Tell(new Subscribe("999999", "0B", bad));
        feed.Tell(new Subscribe("000005", "0D", me));                 // another type: its own request
        AwaitDesired(feed, 6);
        t.Push(RegOk);
        // the four 0B items go out together (the 0D one, whose TypeWanted may arrive in between, on its own)
        var accepted = 0;
        var first = Items(ExpectSent(t, "REG"));
        if (first is ["000005"]) { t.Push(RegOk); accepted++; first = Items(ExpectSent(t, "REG")); }
        Assert.Equal(["000002", "000003", "000004", "999999"], first.Order().ToArray());
        t.Push(RegFailed);                                            // a merged batch still bisects exactly
        var requests = 1;
        var rejected = false;
        while (!rejected || accepted < 4)                             // 000002-4 and 000005
        {
            var items = Items(ExpectSent(t, "REG"));
            requests++;
            var fails = items.Contains("999999");
            t.Push(fails ? RegFailed : RegOk);
            if (!fails) accepted += items.Length;
            rejected |= items is ["999999"];
        }
        Assert.True(requests <= 6, $"bisection took {requests} REGs");
        Assert.Equal("999999", bad.ExpectMsg<SubscriptionRejected>().Code);
        Assert.Equal(5, AllConfirmations(me).Count);
    }

    [Fact]
    public void Feed_must_isolate_a_rejected_item_by_splitting_the_batch_and_keep_the_others_live()
    {
        var feed = StartFeed();
        var good = CreateTestProbe();
        var bad = CreateTestProbe();
        foreach (var c in new[] { "005930", "000660", "035420" }) feed.Tell(new Subscribe(c, "0B", good));
        feed.Tell(new Subscribe("999999", "0B", bad));
        AwaitDesired(feed, 4);                                      // all four wait for the first connection
        var (t, _) = AcceptConnection();
        var batches = new List<string[]>();
        var accepted = 0;
        var isolated = false;
        while (accepted < 3 || !isolated)
        {
            var items = Items(ExpectSent(t, "REG"));
            batches.Add(items);
            var fails = items.Contains("999999");
            t.Push(fails ? RegFailed : RegOk);
            if (!fails) accepted += items.Length;
            isolated |= items is ["999999"];
        }
        Assert.Equal(3, accepted);
        Assert.True(batches.Count <= 5, $"bisection of 4 items took {batches.Count} REGs");
        var rejected = bad.ExpectMsg<SubscriptionRejected>();
        Assert.Equal("999999", rejected.Code);
        Assert.Contains("server rejected REG", rejected.Reason);
        Assert.Equal(4, batches[0].Length);
        Assert.Equal(3, AllConfirmations(good).Count);
        t.Push(Real("035420"));
        Assert.Equal("035420", good.ExpectMsg<Tick>().Code);
        feed.Tell(GetFeedStatus.Instance);
        var status = ExpectMsg<FeedStatus>();
        Assert.Equal(3, status.DesiredSubscriptions);
        Assert.Equal(FeedState.Connected, status.State);
    }

    [Fact]
    public void Connection_must_log_and_count_malformed_and_unknown_frames_and_stay_up()
    {
        var feedTag = $"{Sys.Name}/actorfeed";
        var counted = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == FeedMetrics.MeterName && i.Name == "actorfeed.decode_errors") l.EnableMeasurementEvents(i); };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? feed = null, kind = null;
            foreach (var tag in tags) { if (tag.Key == "feed") feed = tag.Value as string; if (tag.Key == "kind") kind = tag.Value as string; }
            if (feed == feedTag) lock (counted) counted.Add(kind!);
        });
        listener.Start();

        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        SubscribeConfirmed(feed, t, me, "005930");
        // the first malformed frame is logged at once, the second within the log interval only counted
        EventFilter.Warning(contains: "Ignored a malformed frame").ExpectOne(() => t.Push("{not json"));
        t.Push("""{"trnm":"REAL","data":[{"values":{"10":"1"}}]}""");
        EventFilter.Warning(contains: "unknown trnm CNSRXYZ").ExpectOne(() => t.Push("""{"trnm":"CNSRXYZ"}"""));
        t.Push(Real("005930"));
        me.ExpectMsg<Tick>();
        AwaitAssert(() => { lock (counted) Assert.Equal(["malformed", "malformed", "unknown"], counted); });   // every frame counted
        Assert.Single(Logs.Snapshot(this), l => l.Contains("malformed frame"));   // the second was not logged
        feed.Tell(GetFeedStatus.Instance);
        Assert.Equal(FeedState.Connected, ExpectMsg<FeedStatus>().State);
    }

    [Fact]
    public void Connection_must_log_a_flood_of_bad_frames_and_notices_once_per_interval_with_clipped_text_and_count_every_frame()
    {
        var feedTag = $"{Sys.Name}/actorfeed";
        var counted = new Dictionary<string, int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == FeedMetrics.MeterName && i.Name == "actorfeed.decode_errors") l.EnableMeasurementEvents(i); };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? feed = null, kind = null;
            foreach (var tag in tags) { if (tag.Key == "feed") feed = tag.Value as string; if (tag.Key == "kind") kind = tag.Value as string; }
            if (feed == feedTag) lock (counted) counted[kind!] = counted.GetValueOrDefault(kind!) + 1;
        });
        listener.Start();
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var longTrnm = new string('X', 5_000);
        var longNotice = new string('가', 5_000);

        EventFilter.Warning(contains: "Ignored a malformed frame").ExpectOne(() => t.Push("{not json")); // the first of each kind: at once
        EventFilter.Warning(contains: "unknown trnm").ExpectOne(() => t.Push($"{{\"trnm\":\"{longTrnm}\"}}"));
        EventFilter.Info(contains: "Server notice").ExpectOne(() => t.Push($"{{\"trnm\":\"SYSTEM\",\"code\":\"R90000\",\"message\":\"{longNotice}\"}}"));
        for (var i = 0; i < 99; i++) t.Push("{bad " + i);
        for (var i = 0; i < 9; i++) t.Push($"{{\"trnm\":\"CNSR{i}\"}}");
        for (var i = 0; i < 4; i++) t.Push($"{{\"trnm\":\"SYSTEM\",\"code\":\"R9000{i}\",\"message\":\"notice {i}\"}}");
        t.Push("""{"trnm":"PING"}""");
        Wire.FishForMessage(m => m is SentFrame f && f.Text.Contains("PING"));                          // every frame before it is handled
        AwaitAssert(() => { lock (counted) Assert.Equal((100, 10), (counted["malformed"], counted["unknown"])); });

        var lines = Logs.Snapshot(this);
        Assert.Single(lines, l => l.Contains("malformed frame"));
        Assert.Single(lines, l => l.Contains("unknown trnm"));
        Assert.Single(lines, l => l.Contains("Server notice"));
        Assert.Contains(lines, l => l.Contains(new string('X', 64) + "… (5000 chars)"));               // the server's text clipped
        Assert.Contains(lines, l => l.Contains(new string('가', 64) + "… (5000 chars)"));
        Assert.DoesNotContain(lines, l => l.Contains(new string('X', 65)) || l.Contains(new string('가', 65)));

        // one summary per kind when the interval is over, not 1 ms before
        Scheduler.Advance(ConnectionActor.LogInterval - TimeSpan.FromMilliseconds(1));
        Assert.DoesNotContain(Logs.Snapshot(this), l => l.Contains(" more "));
        EventFilter.Warning(contains: "Ignored 99 more malformed frame(s) in the last 10s (last: ").ExpectOne(() => Scheduler.Advance(TimeSpan.FromMilliseconds(1)));
        AwaitAssert(() =>
        {
            var summaries = Logs.Snapshot(this).Where(l => l.Contains(" more ")).ToList();
            Assert.Equal(3, summaries.Count);
            Assert.Contains(summaries, l => l.Contains("Ignored 9 more frame(s) of unknown trnm in the last 10s (last: CNSR8)"));
            Assert.Contains(summaries, l => l.Contains("4 more server notice(s) in the last 10s (last: R90003: notice 3)"));
        });

        // still flooding: no new first line, the next line is the next summary, an interval later
        t.Push("{again");
        AwaitAssert(() => { lock (counted) Assert.Equal(101, counted["malformed"]); });
        Assert.Single(Logs.Snapshot(this), l => l.Contains("Ignored a malformed frame"));
        EventFilter.Warning(contains: "Ignored 1 more malformed frame(s) in the last 10s (last: invalid JSON: 'a'").ExpectOne(() => Scheduler.Advance(ConnectionActor.LogInterval));
        feed.Tell(GetFeedStatus.Instance);
        Assert.Equal(FeedState.Connected, ExpectMsg<FeedStatus>().State);
    }

    [Fact]
    public void Staleness_must_be_observable_per_subscribed_code_until_the_code_is_dropped()
    {
        var feedTag = $"{Sys.Name}/actorfeed";
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        SubscribeConfirmed(feed, t, me, "005930");
        Assert.False(Observe(feedTag).ContainsKey("005930"));          // nothing before its first market-data tick
        t.Push(Real("005930"));
        me.ExpectMsg<Tick>();
        Assert.InRange(Observe(feedTag)["005930"], 0, 0.25);            // measured from the tick
        // silent since: the gauge grows (real time, the staleness clock is Environment.TickCount64)
        AwaitAssert(() => Assert.True(Observe(feedTag)["005930"] >= 0.3), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50));
        t.Push(Real("005930"));
        me.ExpectMsg<Tick>();
        Assert.InRange(Observe(feedTag)["005930"], 0, 0.25);            // a tick resets it
        feed.Tell(new Unsubscribe("005930", "0B", me));
        me.ExpectMsg<SubscriptionRemoved>();
        AwaitAssert(() => Assert.False(Observe(feedTag).ContainsKey("005930")));
    }

    [Fact]
    public void Staleness_must_keep_the_entry_of_a_code_resubscribed_while_its_previous_actor_is_stopping()
    {
        // the overlap the resubscribe spec above provokes by chance, made certain: the new actor of a code starts (and
        // tracks the code) before the previous one's PostStop has run
        var feedTag = $"{Sys.Name}/overlap";
        Sys.Settings.InjectTopLevelFallback(CompactMailbox.Registration);     // as Feed.Start does
        var me = CreateTestProbe();
        IActorRef Started()
        {
            var route = new TickRoute("005930");
            var actor = Sys.ActorOf(SubscriptionActor.Props("005930", feedTag, route));
            actor.Tell(new SubscriptionProtocol.RemoveSubscriber("0B", me));
            me.ExpectMsg<SubscriptionRemoved>();                           // it has started: it tracks the code
            Volatile.Write(ref route.LastTick.Value, Environment.TickCount64);   // as a market-data tick does: measured from now
            return actor;
        }
        var previous = Started();
        var current = Started();
        Watch(previous);
        Sys.Stop(previous);
        ExpectTerminated(previous);                                         // its PostStop ran after the current one's PreStart
        Assert.True(Observe(feedTag).ContainsKey("005930"), "the current actor's staleness entry was removed by the previous actor");
        Watch(current);
        Sys.Stop(current);
        ExpectTerminated(current);
        Assert.False(Observe(feedTag).ContainsKey("005930"));
    }

    [Fact]
    public void Staleness_must_emit_nothing_for_codes_that_get_no_market_data()
    {
        var feedTag = $"{Sys.Name}/actorfeed";
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new Subscribe("", "00", me));                         // per account: code ""
        ExpectSent(t, "REG");
        t.Push(RegOk);
        me.ExpectMsg(new SubscriptionConfirmed("", "00"));
        feed.Tell(new Subscribe("005930", "0s", me));                   // an event type only
        ExpectSent(t, "REG");
        t.Push(RegOk);
        me.ExpectMsg(new SubscriptionConfirmed("005930", "0s"));
        t.Push("""{"trnm":"REAL","data":[{"type":"00","name":"주문체결","item":"","values":{"9203":"0000123"}}]}""");
        t.Push(Real("005930", type: "0s"));
        me.ExpectMsg<Tick>();
        me.ExpectMsg<Tick>();
        var seen = Observe(feedTag);
        Assert.False(seen.ContainsKey(""), "code \"\" of 00 is measured");      // their events never reset a staleness: nothing to climb
        Assert.False(seen.ContainsKey("005930"), "a code subscribed only to 0s is measured");
    }

    private static Dictionary<string, double> Observe(string feedTag)

    {
        var seen = new Dictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == FeedMetrics.MeterName && i.Name == "actorfeed.staleness") l.EnableMeasurementEvents(i); };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            string? feed = null, code = null;
            foreach (var tag in tags) { if (tag.Key == "feed") feed = tag.Value as string; if (tag.Key == "code") code = tag.Value as string; }
            if (feed == feedTag) seen[code!] = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    [Fact]
    public void Connection_must_echo_PING_as_JSON_and_as_bare_text()
    {
        StartFeed();
        var (t, _) = AcceptConnection();
        t.Push("""{"trnm":"PING"}""");
        Assert.Equal("""{"trnm":"PING"}""", ((SentFrame)Wire.FishForMessage(m => m is SentFrame f && f.Text.Contains("PING"))).Text);
        t.Push("PING");
        Assert.Equal("PING", ((SentFrame)Wire.FishForMessage(m => m is SentFrame f && f.Text.Contains("PING"))).Text);
    }

    [Fact]
    public void Feed_must_route_account_types_with_an_empty_item()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new Subscribe("", "00", me));
        var reg = ExpectSent(t, "REG");
        Assert.Equal([""], Items(reg));
        t.Push(RegOk);
        me.ExpectMsg(new SubscriptionConfirmed("", "00"));
        t.Push("""{"trnm":"REAL","data":[{"type":"00","name":"주문체결","item":"","values":{"9203":"0000123"}}]}""");
        Assert.Equal("0000123", me.ExpectMsg<Tick>().Values["9203"]);
    }

    [Fact]
    public async Task Shutdown_must_REMOVE_everything_close_with_1000_and_revoke_the_token()
    {
        Settings = Settings with { RevokeTokenOnStop = true };
        var feed = StartFeed();
        var (t, token) = AcceptConnection();
        var me = CreateTestProbe();
        SubscribeConfirmed(feed, t, me, "005930");
        SubscribeConfirmed(feed, t, me, "000660");

        var stopping = feed.Ask<FeedProtocol.Stopped>(FeedProtocol.Stop.Instance, TimeSpan.FromSeconds(10));
        var remove = ExpectSent(t, "REMOVE");
        Assert.Equal(["000660", "005930"], Items(remove).Order());
        t.Push(RemoveOk);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, Wire.FishForMessage<ClosedByClient>(_ => true).Status);
        TokenCalls.FishForMessage(m => m is TokenRevokedOnServer r && r.Token == token);
        await stopping;
        ExpectState(FeedState.Stopped);
    }

    private void AwaitDesired(IActorRef feed, int count) => AwaitAssert(() =>
    {
        feed.Tell(GetFeedStatus.Instance);
        Assert.Equal(count, ExpectMsg<FeedStatus>().DesiredSubscriptions);
    });
}
