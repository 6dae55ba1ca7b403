using System.Diagnostics;
using ActorFeed.Simulator;
using Xunit.Abstractions;

namespace ActorFeed.Cluster.Tests;

/// <summary>Two app keys with roles of their own: k1 on A, k2 on B, C may hold either; subscribers on C.</summary>
public sealed class TwoKeysSpec(ITestOutputHelper output) : ClusterSpecBase(output)
{
    private static readonly string[] Codes = ["005930", "000660", "035420", "035720", "051910", "068270", "006400", "005380"];

    [Fact]
    public async Task Cluster_feed_must_split_codes_over_two_keys_and_keep_the_other_key_ticking_when_one_keys_node_dies()
    {
        var keys = new ActorFeedClusterSettings
        {
            AppKeys = [Key1 with { Role = "actorfeed-k1" }, Key2 with { Role = "actorfeed-k2" }],
        };
        var assignment = new KeyAssignment(["k1", "k2"]);
        var k1Codes = Codes.Where(c => assignment.KeyOf(c) == "k1").ToArray();
        var k2Codes = Codes.Where(c => assignment.KeyOf(c) == "k2").ToArray();
        Assert.NotEmpty(k1Codes);
        Assert.NotEmpty(k2Codes);

        var a = StartNode("A", null, keys, "actorfeed-k1");
        AwaitUp(1, a.System);
        var b = StartNode("B", a.System, keys, "actorfeed-k2");
        AwaitUp(2, a.System, b.System);
        var c = StartNode("C", a.System, keys, "actorfeed-k1", "actorfeed-k2");
        AwaitUp(3, a.System, b.System, c.System);

        var since = Stopwatch.GetTimestamp();
        var onC = SubscribeOn(c.System, c.Feed, Codes);
        AwaitTicked(onC, Codes, since, TimeSpan.FromSeconds(20));
        Assert.True(HoldsSession(a.System, Key1));
        Assert.True(HoldsSession(b.System, Key2));
        // each key's session carries exactly its codes
        Assert.Equal(k1Codes.Select(x => x + "/0B").Order(), RegisteredNow(Key1).Order());
        Assert.Equal(k2Codes.Select(x => x + "/0B").Order(), RegisteredNow(Key2).Order());

        var killedAt = Stopwatch.GetTimestamp();
        await Kill(a.System);
        var failover = AwaitMoved(onC, k1Codes, killedAt, TimeSpan.FromSeconds(30));
        var recoveredAt = Stopwatch.GetTimestamp();
        AwaitTicked(onC, k1Codes, recoveredAt, TimeSpan.FromSeconds(10));
        Output.WriteLine($"k1 failover (A killed -> its codes ticking on C): {failover.TotalMilliseconds:F0} ms");

        Assert.True(HoldsSession(c.System, Key1), "C took k1 over");
        Assert.True(HoldsSession(b.System, Key2), "k2 stayed on B");
        // k2's codes never paused: no gap, and no silence that would be a pause rather than a loaded machine's hiccup
        // while k1 moved. The simulator sends each code 10 ticks a second (100 ms apart); the limit is 30 tick intervals:
        // far above the scheduling noise of three actor systems, the simulator and k1's new LOGIN on a loaded 2-core
        // machine (a 1 s limit failed there now and then), and still below a move of k2's session (failure detection +
        // stable-after: over 3 s even with the tests' tuning). A reconnect of k2 would also send a gap, asserted absent.
        Assert.DoesNotContain(onC.Gaps, g => k2Codes.Contains(g.Code));
        var limit = TimeSpan.FromSeconds(3) * Testing.TestKitConfig.TimeFactor;
        foreach (var code in k2Codes)
        {
            var silence = onC.LongestSilence(code, killedAt, recoveredAt);
            Output.WriteLine($"{code} (k2) longest silence during k1's failover: {silence.TotalMilliseconds:F0} ms (limit {limit.TotalMilliseconds:F0} ms)");
            Assert.True(silence < limit, $"{code} paused {silence}");
        }
        Assert.Single(Sim.Record.LiveSessions(Key2.AppKey));
        Assert.Equal(k1Codes.Length, onC.Gaps.Count(g => g.Cause == NodeAgent.MovedCause));
        AssertOneSessionAtATime(Key1, Key2);
    }

    private List<string> RegisteredNow(AppKeyCredentials key) =>
        Sim.Record.Read(r => r.Sessions.Where(s => s.AppKey == key.AppKey && s.ClosedAt is null).SelectMany(s => s.Registered).ToList());
}
