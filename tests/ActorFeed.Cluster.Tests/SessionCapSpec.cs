using System.Diagnostics;
using ActorFeed.Messages;
using Xunit.Abstractions;

namespace ActorFeed.Cluster.Tests;

public sealed class SessionCapSpec(ITestOutputHelper output) : ClusterSpecBase(output)
{
    [Fact]
    public void Cluster_feed_must_reject_a_code_beyond_the_sessions_cap_naming_the_key_and_the_setting()
    {
        var node = StartNode("A", null, OneKey with { MaxCodesPerSession = 2 }, "actorfeed");
        AwaitUp(1, node.System);
        var since = Stopwatch.GetTimestamp();
        var inbox = SubscribeOn(node.System, node.Feed, ["005930", "000660"]);
        AwaitTicked(inbox, ["005930", "000660"], since, TimeSpan.FromSeconds(20));

        var more = SubscribeOn(node.System, node.Feed, ["035420", "005930"]);

        AwaitAssert(() => Assert.Single(more.Rejected), TimeSpan.FromSeconds(10));
        var rejected = more.Rejected.Single();
        Assert.Equal("035420", rejected.Code);
        Assert.Contains("app key 'k1'", rejected.Reason);
        Assert.Contains("actorfeed.cluster.max-codes-per-session", rejected.Reason);
        Assert.DoesNotContain(Key1.AppKey, rejected.Reason);
        AwaitAssert(() => Assert.True(more.Confirmed.ContainsKey("005930")), TimeSpan.FromSeconds(5));   // a code already held is not one more
        Assert.DoesNotContain("035420/0B", Sim.Record.Read(r => r.Sessions.SelectMany(s => s.RegRequests).ToList()));
    }
}
