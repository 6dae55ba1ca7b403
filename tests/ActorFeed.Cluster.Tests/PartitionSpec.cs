using System.Diagnostics;
using Akka.Remote;
using Akka.Remote.Transport;
using Xunit.Abstractions;

namespace ActorFeed.Cluster.Tests;

/// <summary>
/// A partition, not a kill: node A (the session's) stays alive with its socket to the server open, but the other nodes
/// cannot reach it (blackholed at Akka's transport by the throttler adapter, as Akka's TestConductor does). Keep-majority
/// downs A on both sides; A's side stops its singleton, which closes the session; the majority logs in after
/// <c>down-removal-margin</c>. The simulator's record shows whether the new LOGIN came after the old session closed.
/// </summary>
public sealed class PartitionSpec(ITestOutputHelper output) : ClusterSpecBase(output)
{
    private static readonly string[] Codes = ["005930", "000660", "035420"];

    /// <summary>Every node with the throttler adapter (it changes the address scheme, so all need it); a removal margin
    /// that gives the minority's shutdown time, as in production (there it equals stable-after, 20 s). Both sides decide
    /// on their own resolver tick (1 s apart at worst) and the minority's stop takes tens of ms: 3 s leaves about 2 s to
    /// spare (measured: the old session closed 1.5 to 2.5 s before the new LOGIN with a 2 s margin).</summary>
    private const string Throttled = """
        akka.remote.dot-netty.tcp.applied-adapters = [trttl]
        akka.cluster.down-removal-margin = 3s
        """;

    [Fact]
    public async Task Cluster_feed_must_log_in_on_the_majority_only_after_the_partitioned_nodes_session_closed()
    {
        // A downs itself when it finds itself in the minority, and its CoordinatedShutdown stops its singleton
        var a = StartNodeWith(Throttled + "\nakka.cluster.run-coordinated-shutdown-when-down = on", "A", null, OneKey, ["actorfeed"]);
        AwaitUp(1, a.System);
        var b = StartNodeWith(Throttled, "B", a.System, OneKey, ["actorfeed"]);
        AwaitUp(2, a.System, b.System);
        var c = StartNodeWith(Throttled, "C", a.System, OneKey, ["actorfeed"]);
        AwaitUp(3, a.System, b.System, c.System);
        var since = Stopwatch.GetTimestamp();
        var onC = SubscribeOn(c.System, c.Feed, Codes);
        AwaitTicked(onC, Codes, since, TimeSpan.FromSeconds(20));
        Assert.True(HoldsSession(a.System, Key1));

        var partitionedAt = Stopwatch.GetTimestamp();
        var transport = ((RemoteActorRefProvider)((Akka.Actor.ExtendedActorSystem)a.System).Provider).Transport;
        foreach (var other in new[] { b.System, c.System })
            Assert.True(await transport.ManagementCommand(new SetThrottle(Akka.Cluster.Cluster.Get(other).SelfAddress,
                ThrottleTransportAdapter.Direction.Both, Blackhole.Instance)));

        var failover = AwaitMoved(onC, Codes, partitionedAt, TimeSpan.FromSeconds(40));
        Output.WriteLine($"partition -> every code ticking on the majority: {failover.TotalMilliseconds:F0} ms");
        Assert.True(HoldsSession(b.System, Key1), "B, the oldest of the majority, holds the session");
        var sessions = Sim.Record.LiveSessions(Key1.AppKey);
        Assert.Equal(2, sessions.Count);
        Assert.NotNull(sessions[0].ClosedAt);
        Assert.True(sessions[0].ClosedAt <= sessions[1].LoggedInAt,
            $"A's session closed at {sessions[0].ClosedAt:HH:mm:ss.fff}, B logged in at {sessions[1].LoggedInAt:HH:mm:ss.fff}");
        AssertOneSessionAtATime(Key1);
    }
}
