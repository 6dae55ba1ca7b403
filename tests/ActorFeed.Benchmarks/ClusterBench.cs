using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using ActorFeed.Cluster;
using ActorFeed.Messages;

namespace ActorFeed.Benchmarks;

/// <summary>
/// <c>--only cluster</c>: ActorFeed.Cluster on loopback, every node an ActorSystem in this process. Cross-node tick
/// throughput and added latency (subscriber on the session's node vs on another node), and failover time (the
/// session's node killed -> every code ticking on a survivor), with the failure detection and resolver timings the
/// cluster tests use.
/// </summary>
internal static class ClusterBench
{
    private static readonly TimeSpan HeartbeatPause = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(1.5);

    private static string NodeConfig(string loglevel) => $$"""
        akka.loglevel = {{loglevel}}
        akka.log-dead-letters = off
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.cluster {
          roles = [actorfeed]
          failure-detector { heartbeat-interval = 250ms, acceptable-heartbeat-pause = {{HeartbeatPause.TotalMilliseconds}}ms }
          split-brain-resolver.stable-after = {{StableAfter.TotalMilliseconds}}ms
          down-removal-margin = 100ms
          gossip-interval = 100ms
          leader-actions-interval = 100ms
          unreachable-nodes-reaper-interval = 100ms
          singleton.hand-over-retry-interval = 250ms
          singleton-proxy.singleton-identification-interval = 100ms
          run-coordinated-shutdown-when-down = off
        }
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        """;

    private sealed class Nodes : IAsyncDisposable
    {
        public List<(ActorSystem System, IActorRef Feed)> All { get; } = [];

        public static async Task<Nodes> StartAsync(int count, Uri ws, Uri rest, TimeSpan backoffMin)
        {
            var nodes = new Nodes();
            var settings = BenchSettings.Base with { RestBaseUrl = rest, WebSocketUrl = ws, BackoffMin = backoffMin, BackoffRandomFactor = 0.2 };
            var keys = new ActorFeedClusterSettings { AppKeys = [new AppKeyCredentials("bench", "bench-app-key-0001", "bench-secret-key-0001")], MaxCodesPerSession = 1000 };
            var level = Environment.GetEnvironmentVariable("BENCH_LOGLEVEL") ?? "WARNING";
            for (var i = 0; i < count; i++)
            {
                var system = ActorSystem.Create("bench", ConfigurationFactory.ParseString(NodeConfig(level)).WithFallback(FeedCluster.DefaultConfig));
                var self = Akka.Cluster.Cluster.Get(system);
                self.Join(i == 0 ? self.SelfAddress : Akka.Cluster.Cluster.Get(nodes.All[0].System).SelfAddress);
                await Wait.Until(() => self.State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) == i + 1, TimeSpan.FromSeconds(30));
                nodes.All.Add((system, FeedCluster.Start(system, keys, settings)));
            }
            return nodes;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var (system, _) in All) await system.Terminate();
        }
    }

    public static async Task RunAsync(bool quick, string[] codes, double topRatePerCode, double ratePerCode, Action<string> line)
    {
        var window = TimeSpan.FromSeconds(quick ? 2 : 8);
        line("## Cluster (ActorFeed.Cluster, nodes on loopback in one process)");
        line("");
        line($"Throughput: {codes.Length} codes, {codes.Length * topRatePerCode:N0} ticks/s offered (the simulator conflates what the client does not take), {window.TotalSeconds:N0} s window.");
        line("");
        line("| subscriber | ticks/s received |");
        line("|---|---:|");
        foreach (var (label, node) in new[] { ("on the session's node", 0), ("on another node", 1) })
        {
            await using var sim = await SimulatorProcess.StartAsync(topRatePerCode, frameMs: 10, maxEntries: 50, stamp: false);
            await using var nodes = await Nodes.StartAsync(2, sim.WebSocketUrl, sim.RestBaseUrl, TimeSpan.FromMilliseconds(100));
            var sink = new TickSink();
            var (system, feed) = nodes.All[node];
            var counter = system.ActorOf(Props.Create(() => new CountingSubscriber(sink, null)));
            foreach (var c in codes) feed.Tell(new Subscribe(c, "0B", counter));
            await Wait.Until(() => sink.AllTickedSince(codes, 0), TimeSpan.FromSeconds(60), () => $"{sink.CodesSeen} codes seen");
            await Task.Delay(TimeSpan.FromSeconds(quick ? 2 : 5));
            var before = sink.Count;
            var sw = Stopwatch.StartNew();
            await Task.Delay(window);
            line(FormattableString.Invariant($"| {label} | {(sink.Count - before) / sw.Elapsed.TotalSeconds:N0} |"));
        }
        line("");
        line($"Two nodes (ActorSystems with Akka.Remote over DotNetty TCP on 127.0.0.1, the binary FeedMessageSerializer); the session lives on the");
        line($"oldest node. {codes.Length} codes, {codes.Length * ratePerCode:N0} ticks/s offered, frames of up to 50 entries every 10 ms; {window.TotalSeconds:N0} s window.");
        line("A subscriber on the other node gets one remote message per tick from that node's agent (one per pair and node, fanned out there).");
        line("");
        line("| subscriber | ticks/s received | p50 ms | p99 ms | max ms | inside p99 ms |");
        line("|---|---:|---:|---:|---:|---:|");
        foreach (var (label, node) in new[] { ("on the session's node", 0), ("on another node", 1) })
        {
            await using var sim = await SimulatorProcess.StartAsync(ratePerCode, frameMs: 10, maxEntries: 50, stamp: true);
            await using var nodes = await Nodes.StartAsync(2, sim.WebSocketUrl, sim.RestBaseUrl, TimeSpan.FromMilliseconds(100));
            var sink = new TickSink();
            var (system, feed) = nodes.All[node];
            var counter = system.ActorOf(Props.Create(() => new CountingSubscriber(sink, null)));
            foreach (var c in codes) feed.Tell(new Subscribe(c, "0B", counter));
            await Wait.Until(() => sink.AllTickedSince(codes, 0), TimeSpan.FromSeconds(60), () => $"{sink.CodesSeen} codes seen");
            await Task.Delay(TimeSpan.FromSeconds(quick ? 2 : 5));
            sink.ResetLatency();
            sink.Sample = true;
            var before = sink.Count;
            var sw = Stopwatch.StartNew();
            await Task.Delay(window);
            var rate = (sink.Count - before) / sw.Elapsed.TotalSeconds;
            sink.Sample = false;
            var l = sink.Latency();
            var inside = sink.Inside();
            line(FormattableString.Invariant($"| {label} | {rate:N0} | {l.P50:N3} | {l.P99:N3} | {l.Max:N1} | {inside.P99:N3} |"));
        }
        line("");

        var runs = quick ? 1 : 3;
        const int FailoverCodes = 50;
        var failoverCodes = codes.Take(FailoverCodes).ToArray();
        line($"### Failover: the session's node killed -> every code ticking on a survivor ({FailoverCodes} codes, 50 ticks/s each, 3 nodes)");
        line("");
        line($"Failure detection: heartbeat 250 ms, acceptable pause {HeartbeatPause.TotalSeconds:N1} s; resolver keep-majority, stable-after {StableAfter.TotalSeconds:N1} s,");
        line("down-removal-margin 100 ms; first backoff 100 ms. \"Detection\" is when a survivor marks the node unreachable.");
        line("The kill: the node's ActorSystem terminated without leaving (its socket aborted, as when the process dies).");
        line("");
        line("| run | detection ms | failover ms | bound: detection + stable-after + resolver tick (1 s) + first backoff + 1 s |");
        line("|---|---:|---:|---:|");
        for (var run = 1; run <= runs; run++)
        {
            await using var sim = await SimulatorProcess.StartAsync(50, frameMs: 10, maxEntries: 50, stamp: false);
            await using var nodes = await Nodes.StartAsync(3, sim.WebSocketUrl, sim.RestBaseUrl, TimeSpan.FromMilliseconds(100));
            var sink = new TickSink();
            var (cSystem, cFeed) = nodes.All[2];
            var counter = cSystem.ActorOf(Props.Create(() => new CountingSubscriber(sink, null)));
            foreach (var c in failoverCodes) cFeed.Tell(new Subscribe(c, "0B", counter));
            await Wait.Until(() => sink.AllTickedSince(failoverCodes, 0), TimeSpan.FromSeconds(60));
            var killed = nodes.All[0].System;
            var address = Akka.Cluster.Cluster.Get(killed).SelfAddress;
            var observer = Akka.Cluster.Cluster.Get(nodes.All[1].System);
            var sw = Stopwatch.StartNew();
            await killed.Terminate();
            var afterKill = Environment.TickCount64;
            await Wait.Until(() => observer.State.Unreachable.Any(m => m.Address == address), TimeSpan.FromSeconds(30));
            var detection = sw.Elapsed;
            await Wait.Until(() => sink.AllTickedSince(failoverCodes, afterKill), TimeSpan.FromSeconds(60));
            var failover = sw.Elapsed;
            var bound = detection + StableAfter + TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(100) + TimeSpan.FromSeconds(1);
            line(FormattableString.Invariant($"| {run} | {detection.TotalMilliseconds:N0} | {failover.TotalMilliseconds:N0} | {bound.TotalMilliseconds:N0} ({(failover <= bound ? "met" : "missed")}) |"));
        }
        line("");
    }
}
