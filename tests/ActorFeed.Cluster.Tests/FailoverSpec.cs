using System.Diagnostics;
using Akka.Actor;
using ActorFeed.Messages;
using Xunit.Abstractions;

namespace ActorFeed.Cluster.Tests;

/// <summary>One app key, three nodes (A oldest, then B, then C), the session on A; subscribers on other nodes.</summary>
public sealed class FailoverSpec(ITestOutputHelper output) : ClusterSpecBase(output)
{
    private static readonly string[] Codes = ["005930", "000660", "035420"];

    private ((ActorSystem Sys, IActorRef Feed) A, (ActorSystem Sys, IActorRef Feed) B, (ActorSystem Sys, IActorRef Feed) C) ThreeNodes()
    {
        var a = StartNode("A", null, OneKey, "actorfeed");
        AwaitUp(1, a.System);
        var b = StartNode("B", a.System, OneKey, "actorfeed");
        AwaitUp(2, a.System, b.System);
        var c = StartNode("C", a.System, OneKey, "actorfeed");
        AwaitUp(3, a.System, b.System, c.System);
        return (a, b, c);
    }

    [Fact]
    public async Task Cluster_feed_must_deliver_ticks_on_another_node_than_the_session()
    {
        var (a, b, c) = ThreeNodes();
        var since = Stopwatch.GetTimestamp();
        var inbox = SubscribeOn(c.Sys, c.Feed, Codes);

        AwaitTicked(inbox, Codes, since, TimeSpan.FromSeconds(20));
        AwaitAssert(() => Assert.Equal(Codes.Length, inbox.Confirmed.Count), TimeSpan.FromSeconds(5));
        Assert.True(HoldsSession(a.Sys, Key1), "the session is on A, the oldest node");
        Assert.False(HoldsSession(c.Sys, Key1));
        Assert.Empty(inbox.Rejected);
        var status = await c.Feed.Ask<FeedStatus>(GetFeedStatus.Instance, TimeSpan.FromSeconds(5));
        Assert.Equal(FeedState.Connected, status.State);
        Assert.Equal(Codes.Length, status.ConfirmedSubscriptions);
        // the other status queries cross nodes too (serialized), answered by the session's node
        var stats = await c.Feed.Ask<SubscriptionStats>(GetSubscriptionStats.Instance, TimeSpan.FromSeconds(5));
        Assert.Equal(FeedState.Connected, stats.Status.State);
        Assert.Equal(Codes.Order(), stats.Subscriptions.Where(s => s.Type == "0B").Select(s => s.Code).Order());
        Assert.All(stats.Subscriptions, s => Assert.True(s.Confirmed));
        var conditions = await c.Feed.Ask<ConditionStatus>(new GetConditionStatus(), TimeSpan.FromSeconds(5));
        Assert.Empty(conditions.Conditions);
        Assert.Single(Sim.Record.LiveSessions(Key1.AppKey));
        AssertOneSessionAtATime(Key1);
    }

    [Fact]
    public async Task Cluster_feed_must_take_over_on_another_node_after_the_session_node_is_killed_without_two_sessions()
    {
        var (a, b, c) = ThreeNodes();
        var since = Stopwatch.GetTimestamp();
        var onB = SubscribeOn(b.Sys, b.Feed, Codes[..2]);
        var onC = SubscribeOn(c.Sys, c.Feed, Codes);
        AwaitTicked(onC, Codes, since, TimeSpan.FromSeconds(20));
        AwaitTicked(onB, Codes[..2], since, TimeSpan.FromSeconds(20));

        var killedAt = Stopwatch.GetTimestamp();
        await Kill(a.Sys);
        var detection = AwaitUnreachable(b.Sys, a.Sys, killedAt);
        var failover = AwaitMoved(onC, Codes, killedAt, TimeSpan.FromSeconds(30));
        AwaitMoved(onB, Codes[..2], killedAt, TimeSpan.FromSeconds(10));
        var resumedAt = Stopwatch.GetTimestamp();
        AwaitTicked(onC, Codes, resumedAt, TimeSpan.FromSeconds(10));
        AwaitTicked(onB, Codes[..2], resumedAt, TimeSpan.FromSeconds(10));
        Output.WriteLine($"failover (A killed -> every code ticking on C): {failover.TotalMilliseconds:F0} ms");

        Assert.True(HoldsSession(b.Sys, Key1), "B, the oldest survivor, holds the session");
        // the resolver checks stable-after on a periodic tick (1 s in Akka.NET), so its decision comes up to a tick later
        var bound = detection + StableAfter + SbrTick + FeedSettings.BackoffMin + TimeSpan.FromSeconds(1);
        Output.WriteLine($"failure detection (A unreachable on B) {detection.TotalMilliseconds:F0} ms; " +
            $"bound (detection + stable-after + resolver tick + first backoff + 1 s): {bound.TotalMilliseconds:F0} ms");
        // every subscriber of a live pair gets one gap for the outage, right before the first tick of the new session
        Assert.Equal(Codes.Length, onC.Gaps.Count(g => g.Cause == NodeAgent.MovedCause));
        Assert.Equal(2, onB.Gaps.Count(g => g.Cause == NodeAgent.MovedCause));
        Assert.All(onC.Gaps, g => Assert.True(g.To > g.From));
        Assert.All(onC.Gaps.Where(g => g.MissedVolume is not null), g => Assert.True(g.MissedVolume > 0));
        var sessions = Sim.Record.LiveSessions(Key1.AppKey);
        Assert.Equal(2, sessions.Count);
        Assert.StartsWith("connection lost", sessions[0].CloseReason);       // aborted with the node, not closed
        AssertOneSessionAtATime(Key1);
        // the new session registered the whole desired set once
        var second = Sim.Record.Read(r => r.Sessions.Single(s => s.Id == sessions[1].Id).Registered.ToHashSet());
        Assert.Equal(Codes.Select(code => code + "/0B").ToHashSet(), second);
        Assert.True(failover < bound * Dilation, $"failover {failover} exceeds {bound}");
    }

    [Fact]
    public async Task Cluster_feed_must_hand_over_after_REMOVE_and_close_when_the_session_node_leaves()
    {
        var (a, b, c) = ThreeNodes();
        var since = Stopwatch.GetTimestamp();
        var onC = SubscribeOn(c.Sys, c.Feed, Codes);
        AwaitTicked(onC, Codes, since, TimeSpan.FromSeconds(20));

        var leftAt = Stopwatch.GetTimestamp();
        await CoordinatedShutdown.Get(a.Sys).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        // the gap notice comes right before the first tick of the new session (ticks of the old one count for nothing here)
        var handover = AwaitMoved(onC, Codes, leftAt, TimeSpan.FromSeconds(30));
        Output.WriteLine($"hand-over (A leaves -> every code ticking on C): {handover.TotalMilliseconds:F0} ms");
        Assert.Equal(Codes.Length, onC.Gaps.Count(g => g.Cause == NodeAgent.MovedCause));
        var resumedAt = Stopwatch.GetTimestamp();
        AwaitTicked(onC, Codes, resumedAt, TimeSpan.FromSeconds(10));

        Assert.True(HoldsSession(b.Sys, Key1));
        var sessions = Sim.Record.LiveSessions(Key1.AppKey);
        Assert.Equal(2, sessions.Count);
        var first = Sim.Record.Read(r => r.Sessions.Single(s => s.Id == sessions[0].Id));
        // REMOVE for every pair, then close 1000, and only then the next LOGIN
        Assert.Equal(Codes.Select(code => code + "/0B").Order(), Sim.Record.Read(_ => first.RemoveRequests.Order().ToList()));
        Assert.StartsWith("client closed 1000", sessions[0].CloseReason);
        Assert.True(sessions[0].ClosedAt <= sessions[1].LoggedInAt);
        AssertOneSessionAtATime(Key1);
    }

    private static double Dilation => Testing.TestKitConfig.TimeFactor;
}
