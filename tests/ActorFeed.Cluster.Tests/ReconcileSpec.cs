using Akka.Actor;
using Akka.TestKit;
using ActorFeed.Messages;
using ActorFeed.Testing;
using Xunit.Abstractions;

namespace ActorFeed.Cluster.Tests;

/// <summary>The singleton's side of the self-healing link: an agent's whole set reconciled against the live session.</summary>
public sealed class ReconcileSpec(ITestOutputHelper output) : ClusterSpecBase(output)
{
    [Fact]
    public async Task Cluster_singleton_must_reconcile_an_agents_set_adding_a_lost_Subscribe_and_releasing_a_lost_Unsubscribe()
    {
        var node = StartNode("A", null, OneKey, "actorfeed");
        AwaitUp(1, node.System);
        IActorRef? singleton = null;
        AwaitAssert(() => singleton = node.System.ActorSelection($"/user/{FeedCluster.DefaultName}-k1/{FeedCluster.SingletonName}")
            .ResolveOne(TimeSpan.FromSeconds(1)).Result, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));
        // an agent of this node whose Subscribe never arrived: the singleton learns the pair from the set alone
        var agent = new TestProbe(node.System, new Akka.TestKit.Xunit2.XunitAssertions());

        agent.Send(singleton!, new ClusterProtocol.DesiredSet("k1", [("005930", "0B")]));

        agent.FishForMessage<ClusterProtocol.FeedHere>(_ => true, TestKitConfig.Dilated(TimeSpan.FromSeconds(5)));
        agent.FishForMessage<SubscriptionConfirmed>(c => c.Code == "005930", TestKitConfig.Dilated(TimeSpan.FromSeconds(20)));
        await Sim.Record.WaitUntilAsync(r => r.Sessions.Any(s => s.ClosedAt is null && s.Registered.Contains("005930/0B")),
            TestKitConfig.Dilated(TimeSpan.FromSeconds(10)), "005930/0B registered");

        // the agent's Unsubscribe was lost: its next set lacks the pair, and the singleton releases it (REMOVE)
        agent.Send(singleton!, new ClusterProtocol.DesiredSet("k1", []));

        await Sim.Record.WaitUntilAsync(r => r.Sessions.Any(s => s.RemoveRequests.Contains("005930/0B")),
            TestKitConfig.Dilated(TimeSpan.FromSeconds(10)), "005930/0B removed");
        AssertOneSessionAtATime(Key1);
    }
}
