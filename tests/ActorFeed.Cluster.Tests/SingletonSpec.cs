using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using ActorFeed.Testing;
using Xunit.Abstractions;

namespace ActorFeed.Cluster.Tests;

/// <summary>The singleton's own care: its feed started again after a failure, without a tight loop; no token revoke.</summary>
public sealed class SingletonSpec(ITestOutputHelper output) : ClusterSpecBase(output)
{
    /// <summary>The system clock, except that its first <c>failures</c> readings throw (the feed reads it in its
    /// constructor, so its construction fails). Records when each reading failed.</summary>
    private sealed class FailingClock(int failures) : TimeProvider
    {
        private int _left = failures;
        public ConcurrentQueue<long> Failures { get; } = new();
        private long _firstSuccess;
        public long FirstSuccess => Interlocked.Read(ref _firstSuccess);

        public override DateTimeOffset GetUtcNow()
        {
            if (Interlocked.Decrement(ref _left) >= 0)
            {
                Failures.Enqueue(Stopwatch.GetTimestamp());
                throw new InvalidOperationException("clock failure for the test");
            }
            Interlocked.CompareExchange(ref _firstSuccess, Stopwatch.GetTimestamp(), 0);
            return base.GetUtcNow();
        }
    }

    [Fact]
    public void Cluster_singleton_must_start_a_feed_that_failed_to_construct_again_after_a_growing_pause()
    {
        var clock = new FailingClock(failures: 2);
        var node = StartNodeWith("", "A", null, OneKey, ["actorfeed"], dependencies: s => FeedDependencies.Real(s) with { Time = clock });
        AwaitUp(1, node.System);
        var since = Stopwatch.GetTimestamp();
        var inbox = SubscribeOn(node.System, node.Feed, ["005930"]);

        AwaitTicked(inbox, ["005930"], since, TimeSpan.FromSeconds(20));

        var failures = clock.Failures.ToArray();
        Assert.Equal(2, failures.Length);
        var firstPause = Stopwatch.GetElapsedTime(failures[0], failures[1]);
        var secondPause = Stopwatch.GetElapsedTime(failures[1], clock.FirstSuccess);
        Output.WriteLine($"pauses before the feed was started again: {firstPause.TotalMilliseconds:F0} ms, {secondPause.TotalMilliseconds:F0} ms");
        // 1 s, then 2 s: not at once (a tight loop), and not much later than that
        Assert.InRange(firstPause, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(1) + TimeSpan.FromSeconds(2) * TestKitConfig.TimeFactor);
        Assert.InRange(secondPause, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(2) + TimeSpan.FromSeconds(2) * TestKitConfig.TimeFactor);
        AssertOneSessionAtATime(Key1);
    }

    [Fact]
    public async Task Cluster_feed_must_not_revoke_the_keys_token_when_its_session_stops()
    {
        var node = StartNodeWith("", "A", null, OneKey, ["actorfeed"], feed: FeedSettings with { RevokeTokenOnStop = true });
        AwaitUp(1, node.System);
        var since = Stopwatch.GetTimestamp();
        var inbox = SubscribeOn(node.System, node.Feed, ["005930"]);
        AwaitTicked(inbox, ["005930"], since, TimeSpan.FromSeconds(20));

        await CoordinatedShutdown.Get(node.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        await Sim.Record.WaitUntilAsync(r => r.Sessions.All(s => s.ClosedAt is not null), TestKitConfig.Dilated(TimeSpan.FromSeconds(10)), "session closed");

        Assert.StartsWith("client closed 1000", Assert.Single(Sim.Record.LiveSessions(Key1.AppKey)).CloseReason);
        Assert.Equal(0, Sim.Record.Read(r => r.TokenRevokes));   // a minority node downing itself must not revoke the majority's token
    }
}
