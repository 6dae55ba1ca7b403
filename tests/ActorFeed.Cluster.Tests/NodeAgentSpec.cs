using Akka.Actor;
using Akka.TestKit;
using ActorFeed.Messages;
using ActorFeed.Testing;

namespace ActorFeed.Cluster.Tests;

/// <summary>
/// The node agent alone (a local actor system): its proxies and singletons are probes, so the link's messages can be
/// lost, reordered or answered at will.
/// </summary>
[Collection("cluster")]
public sealed class NodeAgentSpec() : Akka.TestKit.Xunit2.TestKit(TestKitConfig.With("akka.loglevel = WARNING"))
{
    private static readonly AppKeyCredentials K1 = new("k1", "APPKEY-ONE-0123456789", "SECRET-ONE-0123456789");
    private static readonly AppKeyCredentials K2 = new("k2", "APPKEY-TWO-0123456789", "SECRET-TWO-0123456789");
    private static readonly TimeSpan Reconcile = TimeSpan.FromMilliseconds(400);

    private IActorRef Agent(ActorFeedClusterSettings settings, params TestProbe[] proxies) =>
        Sys.ActorOf(NodeAgent.Props(settings with { ReconcileInterval = Reconcile, SingletonLookupInterval = TimeSpan.FromSeconds(30) },
            settings.AppKeys.Select((k, i) => (k.Name, proxies[i].Ref)).ToDictionary(x => x.Name, x => x.Ref)));

    private static ActorFeedClusterSettings OneKey => new() { AppKeys = [K1] };

    /// <summary>An agent whose k1 singleton is <paramref name="singleton"/> (found through the proxy).</summary>
    private IActorRef AgentWith(TestProbe singleton, long incarnation = 1)
    {
        var proxy = CreateTestProbe();
        var agent = Agent(OneKey, proxy);
        proxy.ExpectMsg<ClusterProtocol.FindFeed>();
        singleton.Send(agent, new ClusterProtocol.FeedHere("k1", incarnation));
        singleton.ExpectMsg<ClusterProtocol.DesiredSet>(d => Assert.Empty(d.Pairs));
        return agent;
    }

    private static Tick TickOf(string code, DateTimeOffset at, long volume) =>
        new(code, "0B", "주식체결", new Dictionary<string, string> { ["10"] = "+71500", ["15"] = "+10", ["13"] = volume.ToString(System.Globalization.CultureInfo.InvariantCulture) }, at);

    /// <summary>Subscribes <paramref name="subscriber"/> to 005930/0B and confirms it as the singleton would.</summary>
    private static void Subscribed(IActorRef agent, TestProbe singleton, TestProbe subscriber)
    {
        agent.Tell(new Subscribe("005930", "0B", subscriber.Ref));
        singleton.ExpectMsg<Subscribe>(s => Assert.Equal(("005930", "0B", agent), (s.Code, s.Type, s.Subscriber)));
        singleton.Send(agent, new SubscriptionConfirmed("005930", "0B"));
        subscriber.ExpectMsg<SubscriptionConfirmed>();
    }

    [Fact]
    public void NodeAgent_must_answer_GetFeedStatus_locally_as_reconnecting_while_the_keys_singleton_is_unknown()
    {
        var proxy = CreateTestProbe();
        var agent = Agent(OneKey, proxy);
        agent.Tell(new Subscribe("005930", "0B", CreateTestProbe().Ref));

        agent.Tell(GetFeedStatus.Instance);

        var status = ExpectMsg<FeedStatus>(TimeSpan.FromSeconds(1));          // not buffered by the proxy until a singleton exists
        Assert.Equal((FeedState.Reconnecting, NodeAgent.MovingCause, 1, 0), (status.State, status.Cause, status.DesiredSubscriptions, status.ConfirmedSubscriptions));
    }

    [Fact]
    public void NodeAgent_must_replace_a_keys_failed_status_answer_by_its_local_status_and_combine_it_with_the_others()
    {
        var (p1, p2, s1, s2) = (CreateTestProbe(), CreateTestProbe(), CreateTestProbe(), CreateTestProbe());
        var agent = Agent(new ActorFeedClusterSettings { AppKeys = [K1, K2] }, p1, p2);
        p1.ExpectMsg<ClusterProtocol.FindFeed>();
        p2.ExpectMsg<ClusterProtocol.FindFeed>();
        s1.Send(agent, new ClusterProtocol.FeedHere("k1", 1));
        s2.Send(agent, new ClusterProtocol.FeedHere("k2", 1));
        s1.ExpectMsg<ClusterProtocol.DesiredSet>();
        s2.ExpectMsg<ClusterProtocol.DesiredSet>();

        agent.Tell(GetFeedStatus.Instance);
        s1.ExpectMsg<GetFeedStatus>();
        s1.Reply(new FeedStatus(FeedState.Connected, null, 0, null, DateTimeOffset.UtcNow, 2, 2, false));
        s2.ExpectMsg<GetFeedStatus>();                                          // and never answers (a message lost, a node gone)

        var status = ExpectMsg<FeedStatus>(NodeAgent.QueryTimeout + TimeSpan.FromSeconds(1));
        Assert.Equal((FeedState.Reconnecting, NodeAgent.MovingCause, 2, 2), (status.State, status.Cause, status.DesiredSubscriptions, status.ConfirmedSubscriptions));
    }

    [Fact]
    public void NodeAgent_must_answer_GetSubscriptionStats_and_GetConditionStatus_from_the_singleton()
    {
        var singleton = CreateTestProbe();
        var agent = AgentWith(singleton);
        var at = DateTimeOffset.UtcNow;
        var stats = new SubscriptionStats(new FeedStatus(FeedState.Connected, null, 0, null, at, 1, 1, false),
            [new SubscriptionStat("005930", "0B", true, 5, at, 1m, 0, null, null, null, false, "Regular", true)], at);

        agent.Tell(GetSubscriptionStats.Instance);
        singleton.ExpectMsg<GetSubscriptionStats>();
        singleton.Reply(stats);
        Assert.Same(stats, ExpectMsg<SubscriptionStats>());

        var conditions = new ConditionStatus([], at);
        agent.Tell(new GetConditionStatus(3));
        singleton.ExpectMsg<GetConditionStatus>(q => Assert.Equal(3, q.MaxMembers));
        singleton.Reply(conditions);
        Assert.Same(conditions, ExpectMsg<ConditionStatus>());

        // without an answer: this node's view, not a timeout of the caller
        agent.Tell(GetSubscriptionStats.Instance);
        singleton.ExpectMsg<GetSubscriptionStats>();
        Assert.Equal(FeedState.Reconnecting, ExpectMsg<SubscriptionStats>(NodeAgent.QueryTimeout + TimeSpan.FromSeconds(1)).Status.State);
    }

    [Fact]
    public void NodeAgent_must_unsubscribe_a_rejected_pair_so_that_the_singleton_releases_the_code()
    {
        var singleton = CreateTestProbe();
        var agent = AgentWith(singleton);
        var subscriber = CreateTestProbe();
        agent.Tell(new Subscribe("005930", "0B", subscriber.Ref));
        singleton.ExpectMsg<Subscribe>();

        singleton.Send(agent, new SubscriptionRejected("005930", "0B", "1901: unknown"));

        subscriber.ExpectMsg<SubscriptionRejected>();
        singleton.ExpectMsg<Unsubscribe>(u => Assert.Equal(("005930", "0B", agent), (u.Code, u.Type, u.Subscriber)));
    }

    [Fact]
    public void NodeAgent_must_send_its_whole_set_periodically_and_resend_a_Subscribe_never_confirmed()
    {
        var singleton = CreateTestProbe();
        var agent = AgentWith(singleton);
        var subscriber = CreateTestProbe();
        agent.Tell(new Subscribe("005930", "0B", subscriber.Ref));
        singleton.ExpectMsg<Subscribe>();                                       // ... and lost: no confirmation

        // the periodic set carries the pair (a lost Subscribe is added by the singleton), and the Subscribe comes again
        var set = singleton.FishForMessage<ClusterProtocol.DesiredSet>(_ => true, Reconcile * 3);
        Assert.Equal([("005930", "0B")], set.Pairs);
        singleton.FishForMessage<Subscribe>(_ => true, Reconcile * 3);

        // an Unsubscribe lost on the way: the next set no longer carries the pair (the singleton releases it)
        agent.Tell(new Unsubscribe("005930", "0B", subscriber.Ref));
        singleton.FishForMessage<ClusterProtocol.DesiredSet>(d => d.Pairs.Length == 0, Reconcile * 4);
    }

    [Fact]
    public void NodeAgent_must_give_a_batched_subscriber_one_TickBatch_per_batch_and_the_others_single_ticks()
    {
        var singleton = CreateTestProbe();
        var agent = AgentWith(singleton);
        var single = CreateTestProbe();
        Subscribed(agent, singleton, single);
        var batched = CreateTestProbe();
        agent.Tell(new Subscribe("005930", "0B", batched.Ref) { Batched = true });
        batched.ExpectMsg<SubscriptionConfirmed>();                     // the pair is confirmed already: no second Subscribe upstream
        singleton.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        var t0 = DateTimeOffset.UtcNow;

        singleton.Send(agent, new ClusterProtocol.TickBatch([TickOf("005930", t0, 1000), TickOf("005930", t0.AddSeconds(1), 1010)]));
        var batch = batched.ExpectMsg<TickBatch>();
        Assert.Equal([t0, t0.AddSeconds(1)], batch.Ticks.Select(t => t.ReceivedAt));
        Assert.Equal(t0, single.ExpectMsg<Tick>().ReceivedAt);
        Assert.Equal(t0.AddSeconds(1), single.ExpectMsg<Tick>().ReceivedAt);

        // the latest Subscribe decides: single ticks again
        agent.Tell(new Subscribe("005930", "0B", batched.Ref));
        singleton.Send(agent, new ClusterProtocol.TickBatch([TickOf("005930", t0.AddSeconds(2), 1020)]));
        Assert.Equal(t0.AddSeconds(2), batched.ExpectMsg<Tick>().ReceivedAt);
        batched.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void NodeAgent_must_give_a_batched_subscriber_the_ticks_before_a_move_first_then_the_gap_then_the_ticks_after()
    {
        var old = CreateTestProbe();
        var agent = AgentWith(old);
        var batched = CreateTestProbe();
        agent.Tell(new Subscribe("005930", "0B", batched.Ref) { Batched = true });
        old.ExpectMsg<Subscribe>();
        old.Send(agent, new SubscriptionConfirmed("005930", "0B"));
        batched.ExpectMsg<SubscriptionConfirmed>();
        var t0 = DateTimeOffset.UtcNow;
        old.Send(agent, TickOf("005930", t0, 1000));
        Assert.Single(batched.ExpectMsg<TickBatch>().Ticks);

        Watch(old.Ref);
        Sys.Stop(old.Ref);
        ExpectTerminated(old.Ref);
        var next = CreateTestProbe();
        next.Send(agent, new ClusterProtocol.FeedHere("k1", 2));
        next.ExpectMsg<Subscribe>();
        // one batch of the new session: the gap comes before its first tick, in a batch of its own
        next.Send(agent, new ClusterProtocol.TickBatch([TickOf("005930", t0.AddSeconds(5), 1100), TickOf("005930", t0.AddSeconds(6), 1110)]));
        var gap = batched.ExpectMsg<SubscriptionGap>();
        Assert.Equal((t0, t0.AddSeconds(5)), (gap.From, gap.To));
        Assert.Equal([t0.AddSeconds(5), t0.AddSeconds(6)], batched.ExpectMsg<TickBatch>().Ticks.Select(t => t.ReceivedAt));
    }

    [Fact]
    public void NodeAgent_must_end_an_interruption_only_with_a_tick_of_the_current_singleton()
    {
        var old = CreateTestProbe();
        var agent = AgentWith(old);
        var subscriber = CreateTestProbe();
        Subscribed(agent, old, subscriber);
        var t0 = DateTimeOffset.UtcNow;
        old.Send(agent, TickOf("005930", t0, 1000));
        subscriber.ExpectMsg<Tick>();

        Watch(old.Ref);
        Sys.Stop(old.Ref);
        ExpectTerminated(old.Ref);
        // a tick of the old session still queued behind the Terminated: delivered, but it ends nothing
        agent.Tell(TickOf("005930", t0.AddSeconds(1), 1010), old.Ref);
        Assert.Equal(t0.AddSeconds(1), subscriber.ExpectMsg<Tick>().ReceivedAt);

        var next = CreateTestProbe();
        next.Send(agent, new ClusterProtocol.FeedHere("k1", 2));
        next.ExpectMsg<Subscribe>();
        next.Send(agent, TickOf("005930", t0.AddSeconds(5), 1100));
        var gap = subscriber.ExpectMsg<SubscriptionGap>();
        Assert.Equal((NodeAgent.MovedCause, t0.AddSeconds(1), t0.AddSeconds(5), 80L), (gap.Cause, gap.From, gap.To, gap.MissedVolume));
        subscriber.ExpectMsg<Tick>();
    }

    [Fact]
    public void NodeAgent_must_assert_its_set_again_when_the_singleton_restarts_with_the_same_ref()
    {
        var singleton = CreateTestProbe();
        var agent = AgentWith(singleton, incarnation: 1);
        var subscriber = CreateTestProbe();
        Subscribed(agent, singleton, subscriber);
        var t0 = DateTimeOffset.UtcNow;
        singleton.Send(agent, TickOf("005930", t0, 1000));
        subscriber.ExpectMsg<Tick>();

        singleton.Send(agent, new ClusterProtocol.FeedHere("k1", 1));          // the same incarnation: nothing to do
        singleton.Send(agent, new ClusterProtocol.FeedHere("k1", 7));          // restarted: a new feed with an empty set

        singleton.ExpectMsg<Subscribe>(s => Assert.Equal("005930", s.Code));
        singleton.ExpectMsg<ClusterProtocol.DesiredSet>(d => Assert.Single(d.Pairs));
        singleton.Send(agent, TickOf("005930", t0.AddSeconds(3), 1100));
        Assert.Equal(t0, subscriber.ExpectMsg<SubscriptionGap>().From);
        subscriber.ExpectMsg<Tick>();
    }
}
