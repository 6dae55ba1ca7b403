using Akka.Actor;
using Akka.Configuration;
using ActorFeed.Kiwoom;
using ActorFeed.Messages;
using ActorFeed.Testing;

namespace ActorFeed.Cluster.Tests;

/// <summary>Every ActorFeed message that crosses nodes goes through <see cref="FeedMessageSerializer"/> (bound by
/// <see cref="FeedCluster.DefaultConfig"/>) and comes back equal; actor refs come back as refs of the same actor.</summary>
[Collection("cluster")]
public sealed class FeedMessageSerializerSpec() : Akka.TestKit.Xunit2.TestKit(
    ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }")
        .WithFallback(FeedCluster.DefaultConfig).WithFallback(TestKitConfig.With("")))
{
    private object RoundTrip(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<FeedMessageSerializer>(serializer);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        return Sys.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);
    }

    [Fact]
    public void Serializer_must_round_trip_a_decoded_tick_with_its_fields_in_order()
    {
        var frame = """{"trnm":"REAL","data":[{"type":"0B","name":"주식체결","item":"005930","values":{"20":"090102","10":"-71500","11":"-500","12":"-0.69","15":"+120","13":"1234567","27":"+71600","28":"-71500"}}]}"""u8.ToArray();
        var received = DateTimeOffset.Parse("2026-11-29T00:01:02.125+00:00");
        var tick = Assert.IsType<RealFrame>(new KiwoomDecoder().Decode(frame, received)).Ticks[0];

        var back = Assert.IsType<Tick>(RoundTrip(tick));

        Assert.Equal(("005930", "0B", "주식체결", received), (back.Code, back.Type, back.Name, back.ReceivedAt));
        Assert.Equal(tick.Values.ToList(), back.Values.ToList());                  // every field, in the order received
        Assert.Equal((71500m, -500L + 0, 120L, 1234567L), (back.Price!.Value, (long)back.Change!.Value, back.TradeVolume!.Value, back.CumulativeVolume!.Value));
        Assert.Equal(tick.ServerTime, back.ServerTime);

        var batch = Assert.IsType<ClusterProtocol.TickBatch>(RoundTrip(new ClusterProtocol.TickBatch([tick, back])));
        Assert.Equal(2, batch.Ticks.Length);
        Assert.All(batch.Ticks, t => Assert.Equal(tick.Values.ToList(), t.Values.ToList()));

        var subscriberBatch = Assert.IsType<TickBatch>(RoundTrip(new TickBatch([tick, back])));       // Subscribe.Batched
        Assert.Equal(2, subscriberBatch.Ticks.Count);
        Assert.All(subscriberBatch.Ticks, t => Assert.Equal(tick.Values.ToList(), t.Values.ToList()));
        var probe = CreateTestProbe();
        var subscribe = Assert.IsType<Subscribe>(RoundTrip(new Subscribe("005930", "0B", probe.Ref) { Batched = true }));
        Assert.Equal(("005930", "0B", probe.Ref, true), (subscribe.Code, subscribe.Type, subscribe.Subscriber, subscribe.Batched));
    }

    [Fact]
    public void Serializer_must_round_trip_every_message_that_crosses_nodes()
    {
        var probe = CreateTestProbe();
        var at = DateTimeOffset.Parse("2026-11-29T09:00:00.5+09:00");
        object[] messages =
        [
            new SubscriptionGap("005930", "0B", at, at.AddSeconds(3), "the session moved to another node", 1234),
            new SubscriptionGap("005930", "0D", at, at.AddSeconds(3), "no data", null),
            new SubscriptionConfirmed("005930", "0B"),
            new SubscriptionRejected("999999", "0B", "1901: unknown"),
            new SubscriptionRemoved("", "00"),
            new ClusterProtocol.FeedHere("k1", 42),
            new GetConditionStatus(7),
            new SearchCondition(3),
            new ConditionEntered(1, "005930", at, true),
            new ConditionLeft(1, "000660", at, false),
            new ConditionUnsubscribed(1),
            new ConditionRejected(null, "no subscriber"),
            new ConditionRejected(4, "unknown seq"),
        ];
        foreach (var m in messages) Assert.Equal(m, RoundTrip(m));

        // records holding lists compare the lists by reference: compared item by item
        Assert.Equal([new ConditionInfo(0, "급등"), new ConditionInfo(1, "거래량")],
            Assert.IsType<ConditionList>(RoundTrip(new ConditionList([new ConditionInfo(0, "급등"), new ConditionInfo(1, "거래량")]))).Conditions);
        var snapshot = Assert.IsType<ConditionSnapshot>(RoundTrip(new ConditionSnapshot(1, "거래량", ["005930", "000660"])));
        Assert.Equal((1, "거래량"), (snapshot.Seq, snapshot.Name));
        Assert.Equal(["005930", "000660"], snapshot.Codes);
        var result = Assert.IsType<ConditionSearchResult>(RoundTrip(new ConditionSearchResult(2, "x", [])));
        Assert.Equal((2, "x", 0), (result.Seq, result.Name, result.Codes.Count));

        Assert.Same(GetFeedStatus.Instance, RoundTrip(GetFeedStatus.Instance));
        Assert.Same(ClusterProtocol.FindFeed.Instance, RoundTrip(ClusterProtocol.FindFeed.Instance));
        Assert.IsType<ListConditions>(RoundTrip(new ListConditions()));

        var status = new FeedStatus(FeedState.Reconnecting, "keepalive timeout", 2, at, null, 3, 1, false, at, 4, at, at) { StaleCodes = ["005930"] };
        var statusBack = Assert.IsType<FeedStatus>(RoundTrip(status));
        Assert.Equal(status with { StaleCodes = [] }, statusBack with { StaleCodes = [] });
        Assert.Equal(status.StaleCodes, statusBack.StaleCodes);

        Assert.Equal(new Subscribe("005930", "0B", probe.Ref), RoundTrip(new Subscribe("005930", "0B", probe.Ref)));
        Assert.Equal(new Unsubscribe("005930", "0B", null), RoundTrip(new Unsubscribe("005930", "0B")));
        var sub = Assert.IsType<SubscribeCondition>(RoundTrip(new SubscribeCondition(1, probe.Ref, ["0B"])));
        Assert.Equal((1, probe.Ref, "0B"), (sub.Seq, sub.Subscriber, sub.TickTypes!.Single()));
        Assert.Null(Assert.IsType<SubscribeCondition>(RoundTrip(new SubscribeCondition(1, probe.Ref))).TickTypes);
        Assert.Equal(new UnsubscribeCondition(1, probe.Ref), RoundTrip(new UnsubscribeCondition(1, probe.Ref)));
    }

    [Fact]
    public void Serializer_must_round_trip_the_status_queries_and_the_desired_set()
    {
        var at = DateTimeOffset.Parse("2026-11-29T09:00:00.5+09:00");
        Assert.Same(GetSubscriptionStats.Instance, RoundTrip(GetSubscriptionStats.Instance));
        var status = new FeedStatus(FeedState.Connected, null, 0, null, at, 2, 2, false);
        var gap = new SubscriptionGap("005930", "0B", at, at.AddSeconds(1), "no data", 5);
        SubscriptionStat[] stats =
        [
            new("005930", "0B", true, 123, at, 71500.5m, 1, gap, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30), false, "Regular", true),
            new("000660", "0B", false, 0, null, null, 0, null, null, null, true, "Closed", false),
        ];
        var back = Assert.IsType<SubscriptionStats>(RoundTrip(new SubscriptionStats(status, stats, at)));
        Assert.Equal((status with { StaleCodes = [] }, at), (back.Status with { StaleCodes = [] }, back.At));
        Assert.Equal(stats, back.Subscriptions);

        var change = new ConditionMemberChange("005930", true, at, false);
        var followed = new FollowedCondition(1, "급등", FollowedConditionState.Retrying, 2, ["005930"], 3, ["0B"], change, 4, 1, "no reply", at);
        var conditions = Assert.IsType<ConditionStatus>(RoundTrip(new ConditionStatus([followed], at)));
        Assert.Equal(at, conditions.At);
        var f = Assert.Single(conditions.Conditions);
        Assert.Equal(followed with { Members = [], TickTypes = [] }, f with { Members = [], TickTypes = [] });
        Assert.Equal(followed.Members, f.Members);
        Assert.Equal(followed.TickTypes, f.TickTypes);

        var set = Assert.IsType<ClusterProtocol.DesiredSet>(RoundTrip(new ClusterProtocol.DesiredSet("k1", [("005930", "0B"), ("", "00")])));
        Assert.Equal("k1", set.KeyName);
        Assert.Equal([("005930", "0B"), ("", "00")], set.Pairs);
    }

    [Fact]
    public void Serializer_must_read_a_message_without_fields_added_later_and_refuse_a_newer_format_version()
    {
        var serializer = (FeedMessageSerializer)Sys.Serialization.FindSerializerForType(typeof(Tick));
        // FeedHere as a node without the incarnation field writes it: the version byte, then the key name only
        var old = new byte[] { FeedMessageSerializer.Version, 2, (byte)'k', (byte)'1' };
        Assert.Equal(new ClusterProtocol.FeedHere("k1", 0), serializer.FromBinary(old, "H"));
        var bytes = serializer.ToBinary(new ClusterProtocol.FeedHere("k1", 42));
        Assert.Equal(FeedMessageSerializer.Version, bytes[0]);
        bytes[0] = FeedMessageSerializer.Version + 1;
        var e = Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary(bytes, "H"));
        Assert.Contains("format version", e.Message);
    }

    /// <summary>The public types of ActorFeed.Messages that never cross nodes, each with why.</summary>
    private static readonly Dictionary<Type, string> LocalOnly = new()
    {
        [typeof(FeedStatusChanged)] = "published on the local EventStream only",
        [typeof(FeedState)] = "an enum, written inside FeedStatus",
        [typeof(FollowedConditionState)] = "an enum, written inside ConditionStatus",
        [typeof(ConditionInfo)] = "a part of ConditionList, written inside it",
        [typeof(SubscriptionStat)] = "a part of SubscriptionStats, written inside it",
        [typeof(FollowedCondition)] = "a part of ConditionStatus, written inside it",
        [typeof(ConditionMemberChange)] = "a part of FollowedCondition, written inside it",
    };

    [Fact]
    public void Serializer_must_be_bound_to_every_public_message_type_not_listed_as_local_only()
    {
        var types = typeof(Tick).Assembly.GetExportedTypes().Where(t => t.Namespace == "ActorFeed.Messages").ToList();
        Assert.Contains(typeof(GetSubscriptionStats), types);
        var unbound = types
            .Where(t => !LocalOnly.ContainsKey(t))
            .Where(t => Sys.Serialization.FindSerializerForType(t) is not FeedMessageSerializer)
            .Select(t => t.FullName)
            .ToList();
        Assert.Empty(unbound);
        Assert.All(LocalOnly.Keys, t => Assert.Contains(t, types));           // the list names no type that is gone
    }

    [Fact]
    public async Task FeedCluster_must_refuse_to_start_on_a_system_created_without_the_serializer_bindings()
    {
        var config = ConfigurationFactory.ParseString("""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            """);
        var system = ActorSystem.Create("unbound", config);
        try
        {
            var settings = new ActorFeedClusterSettings { AppKeys = [new AppKeyCredentials("k1", "APPKEY-ONE-0123456789", "SECRET-ONE-0123456789")] };
            var feed = TestSettings.Loopback(new Uri("http://127.0.0.1:1"), new Uri("ws://127.0.0.1:1/ws"));
            var e = Assert.Throws<InvalidOperationException>(() => FeedCluster.Start(system, settings, feed));
            Assert.Contains("FeedCluster.DefaultConfig", e.Message);
            Assert.DoesNotContain("APPKEY-ONE", e.Message);
        }
        finally
        {
            await system.Terminate();
        }
    }
}
