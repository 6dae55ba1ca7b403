using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using ActorFeed.Kiwoom;
using ActorFeed.Messages;
using ActorFeed.Settings;
using ActorFeed.Simulator;
using ActorFeed.Testing;
using Xunit.Abstractions;

namespace ActorFeed.Cluster.Tests;

/// <summary>
/// Several cluster nodes (ActorSystems with Akka.Remote on 127.0.0.1, port 0) in this process, against one simulator.
/// Failure detection and the split brain resolver are tuned for tests (see <see cref="NodeConfig"/>); the TestKit's own
/// system (<c>Sys</c>) is only for its waits (AwaitAssert, scaled by ACTORFEED_TEST_TIMEFACTOR).
/// </summary>
[Collection("cluster")]
public abstract class ClusterSpecBase : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    protected static readonly AppKeyCredentials Key1 = new("k1", "APPKEY-ONE-0123456789-abcdef", "SECRET-ONE-9876543210-zyxwvu");
    protected static readonly AppKeyCredentials Key2 = new("k2", "APPKEY-TWO-0123456789-abcdef", "SECRET-TWO-9876543210-zyxwvu");

    /// <summary>Heartbeat pause and SBR stable-after for tests: a dead node is downed about 1.5 + 1.5 s after it died.</summary>
    protected static readonly TimeSpan AcceptableHeartbeatPause = TimeSpan.FromSeconds(1.5);
    protected static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(1.5);
    /// <summary>The split brain resolver's periodic check (stable-after is measured on it).</summary>
    protected static readonly TimeSpan SbrTick = TimeSpan.FromSeconds(1);
    protected static readonly TimeSpan DownRemovalMargin = TimeSpan.FromMilliseconds(100);

    private readonly List<ActorSystem> _nodes = [];
    protected KiwoomSimulator Sim { get; private set; } = null!;

    protected ClusterSpecBase(ITestOutputHelper output) : base(TestKitConfig.With("akka.loglevel = WARNING"), output: output) => _output = output;

    private readonly ITestOutputHelper _output;

    /// <summary>The test's output.</summary>
    protected new ITestOutputHelper Output => _output;

    public async Task InitializeAsync() => Sim = await KiwoomSimulator.StartAsync(new SimulatorOptions { TicksPerSecondPerItem = 10 });

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes) await node.Terminate();
        await Sim.DisposeAsync();
    }

    protected static string NodeConfig(IEnumerable<string> roles) => $$"""
        akka.loglevel = INFO
        akka.stdout-loglevel = INFO
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.cluster {
          roles = [{{string.Join(", ", roles)}}]
          failure-detector { heartbeat-interval = 250ms, acceptable-heartbeat-pause = {{AcceptableHeartbeatPause.TotalMilliseconds}}ms }
          split-brain-resolver.stable-after = {{StableAfter.TotalMilliseconds}}ms
          down-removal-margin = {{DownRemovalMargin.TotalMilliseconds}}ms
          gossip-interval = 100ms
          leader-actions-interval = 100ms
          unreachable-nodes-reaper-interval = 100ms
          periodic-tasks-initial-delay = 100ms
          singleton.hand-over-retry-interval = 250ms
          singleton-proxy.singleton-identification-interval = 100ms
          # a node that is taken out (the kill) must not be told to leave: the test terminates it without CoordinatedShutdown
          run-coordinated-shutdown-when-down = off
        }
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        akka.coordinated-shutdown.terminate-actor-system = on
        """;

    /// <summary>Feed settings for the simulator (fast recovery, generous detection), the key's credentials replace these.</summary>
    protected ActorFeedSettings FeedSettings => TestSettings.Loopback(Sim.RestBaseUrl, Sim.WebSocketUrl);

    /// <summary>Starts a node with these roles, joins it to <paramref name="seed"/> (itself when null) and starts the
    /// cluster feed on it.</summary>
    protected (ActorSystem System, IActorRef Feed) StartNode(string name, ActorSystem? seed, ActorFeedClusterSettings cluster, params string[] roles) =>
        StartNodeWith("", name, seed, cluster, roles);

    /// <summary>As above, with <paramref name="extra"/> HOCON over the node's test configuration, and optionally other
    /// feed settings (<see cref="FeedSettings"/> by default) and dependencies of the keys' feeds (the real ones by default).</summary>
    protected (ActorSystem System, IActorRef Feed) StartNodeWith(string extra, string name, ActorSystem? seed, ActorFeedClusterSettings cluster,
        string[] roles, ActorFeedSettings? feed = null, Func<ActorFeedSettings, FeedDependencies>? dependencies = null)
    {
        var config = ConfigurationFactory.ParseString(extra).WithFallback(ConfigurationFactory.ParseString(NodeConfig(roles)))
            .WithFallback(FeedCluster.DefaultConfig);
        var system = ActorSystem.Create("feedcluster", config);
        _nodes.Add(system);
        var self = Akka.Cluster.Cluster.Get(system);
        self.Join(seed is null ? self.SelfAddress : Akka.Cluster.Cluster.Get(seed).SelfAddress);
        var agent = FeedCluster.Start(system, cluster, feed ?? FeedSettings, dependencies);
        Output.WriteLine($"node {name}: {self.SelfAddress}, roles {string.Join(",", roles)}");
        return (system, agent);
    }

    protected static ActorFeedClusterSettings OneKey => new() { AppKeys = [Key1] };

    /// <summary>Waits until every node sees <paramref name="count"/> members Up.</summary>
    protected void AwaitUp(int count, params ActorSystem[] nodes) =>
        AwaitAssert(() =>
        {
            foreach (var n in nodes)
                Assert.Equal(count, Akka.Cluster.Cluster.Get(n).State.Members.Count(m => m.Status == MemberStatus.Up));
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));

    /// <summary>Takes a node out abruptly: no leave, no graceful stop of its feed (its actors stop and the socket is
    /// aborted, as when the process dies), its remoting goes away; the others find it unreachable and the SBR downs it.</summary>
    protected static async Task Kill(ActorSystem node)
    {
        await node.Terminate();
    }

    /// <summary>Waits until <paramref name="observer"/> finds <paramref name="dead"/> unreachable (its failure detector
    /// fired); returns the time from <paramref name="since"/> (the failure detection time, within 20 ms).</summary>
    protected TimeSpan AwaitUnreachable(ActorSystem observer, ActorSystem dead, long since)
    {
        var address = Akka.Cluster.Cluster.Get(dead).SelfAddress;
        AwaitAssert(() => Assert.Contains(Akka.Cluster.Cluster.Get(observer).State.Unreachable, m => m.Address == address),
            TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(20));
        return Stopwatch.GetElapsedTime(since);
    }

    /// <summary>Subscribes a fresh subscriber on the node of <paramref name="feed"/> to 0B of <paramref name="codes"/>.</summary>
    protected Inbox SubscribeOn(ActorSystem node, IActorRef feed, IEnumerable<string> codes)
    {
        var inbox = new Inbox();
        var subscriber = node.ActorOf(Subscriber.Props(inbox));
        foreach (var c in codes) feed.Tell(new Subscribe(c, RealTypes.StockTrade, subscriber));
        return inbox;
    }

    /// <summary>Waits until every code ticked after <paramref name="since"/>; returns when the last one did.</summary>
    protected TimeSpan AwaitTicked(Inbox inbox, IReadOnlyCollection<string> codes, long since, TimeSpan within)
    {
        AwaitAssert(() => Assert.Empty(codes.Except(inbox.TickedSince(since))), within, TimeSpan.FromMilliseconds(20));
        return Stopwatch.GetElapsedTime(since, codes.Max(c => inbox.Ticks.Where(t => t.Code == c && t.At > since).Min(t => t.At)));
    }

    /// <summary>
    /// Waits until every code of <paramref name="codes"/> got its gap notice of the move (it comes right before the first
    /// tick from the new session, so late ticks of the old session cannot stand in for it); returns the time from
    /// <paramref name="since"/> to the last one: every code ticking again on the new session.
    /// </summary>
    protected TimeSpan AwaitMoved(Inbox inbox, IReadOnlyCollection<string> codes, long since, TimeSpan within)
    {
        AwaitAssert(() => Assert.Empty(codes.Except(inbox.Gaps.Where(g => g.Cause == NodeAgent.MovedCause).Select(g => g.Code))),
            within, TimeSpan.FromMilliseconds(20));
        return Stopwatch.GetElapsedTime(since, codes.Max(c => inbox.GapArrivals[c]));
    }

    /// <summary>The one-session rule, from the simulator's record: never two live sessions of the key at once, no R10001,
    /// no pair registered twice in a session.</summary>
    protected void AssertOneSessionAtATime(params AppKeyCredentials[] keys)
    {
        foreach (var key in keys)
        {
            var sessions = Sim.Record.LiveSessions(key.AppKey);
            foreach (var s in sessions)
                Output.WriteLine($"{key.Name}: session {s.Id} live {s.LoggedInAt:HH:mm:ss.fff} -> {s.ClosedAt:HH:mm:ss.fff} ({s.CloseReason})");
            Assert.Empty(Sim.Record.LiveSessionOverlaps(key.AppKey));
            Assert.True(Sim.Record.MaxConcurrentLiveSessions(key.AppKey) <= 1);
        }
        Assert.Equal(0, Sim.Record.DuplicateLoginKicks);
        Assert.All(Sim.Record.Read(r => r.Sessions.ToList()), s => Assert.Equal(0, s.DuplicateRegistrations));
    }

    /// <summary>The node that holds <paramref name="key"/>'s session now (its singleton is there).</summary>
    protected static bool HoldsSession(ActorSystem node, AppKeyCredentials key)
    {
        try
        {
            return node.ActorSelection($"/user/{FeedCluster.DefaultName}-{key.Name}/{FeedCluster.SingletonName}")
                .ResolveOne(TimeSpan.FromSeconds(1)).Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            return false;
        }
    }
}
