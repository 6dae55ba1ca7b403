using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Event;
using ActorFeed.Messages;
using ActorFeed.Settings;
using ActorFeed.Subscriptions;

namespace ActorFeed.Cluster;

/// <summary>
/// Starts ActorFeed on an Akka.Cluster node: for each app key a cluster singleton (on the oldest node with the key's
/// role) that holds the key's one session, a proxy to it on every node, and the node's agent at <c>/user/actorfeed</c>,
/// which takes the same messages as a single-process feed (<c>Subscribe</c>, <c>Unsubscribe</c>, <c>GetFeedStatus</c>,
/// the condition requests) from this node's actors.
/// </summary>
public static class FeedCluster
{
    /// <summary>The agent's name: it lives at <c>/user/actorfeed</c>, like a single-process feed.</summary>
    public const string DefaultName = Feed.DefaultName;

    /// <summary>The singleton's name under its manager (<c>/user/actorfeed-{key}/feed</c>).</summary>
    public const string SingletonName = "feed";

    /// <summary>
    /// What the cluster package needs in every node's HOCON: the serializer of the ActorFeed messages and its bindings,
    /// the cluster actor provider and the split brain resolver with keep-majority (Akka's defaults kept: stable-after
    /// 20 s, down-removal-margin = stable-after). It must be in the configuration the actor system is CREATED with
    /// (e.g. <c>ActorSystem.Create(name, yourConfig.WithFallback(FeedCluster.DefaultConfig))</c>):
    /// serialization bindings are read when the system is built, so adding them later binds nothing.
    /// <c>WithActorFeedCluster</c> adds it to the builder's HOCON before the system is built; <see cref="Start"/> checks it.
    /// </summary>
    public static Config DefaultConfig { get; } = ConfigurationFactory.ParseString("""
        akka.actor {
          provider = cluster
          serializers.actorfeed = "ActorFeed.Cluster.FeedMessageSerializer, ActorFeed.Cluster"
          serialization-bindings {
            "ActorFeed.Messages.Tick, ActorFeed" = actorfeed
            "ActorFeed.Messages.SubscriptionGap, ActorFeed" = actorfeed
            "ActorFeed.Messages.SubscriptionConfirmed, ActorFeed" = actorfeed
            "ActorFeed.Messages.SubscriptionRejected, ActorFeed" = actorfeed
            "ActorFeed.Messages.SubscriptionRemoved, ActorFeed" = actorfeed
            "ActorFeed.Messages.Subscribe, ActorFeed" = actorfeed
            "ActorFeed.Messages.Unsubscribe, ActorFeed" = actorfeed
            "ActorFeed.Messages.GetFeedStatus, ActorFeed" = actorfeed
            "ActorFeed.Messages.FeedStatus, ActorFeed" = actorfeed
            "ActorFeed.Messages.GetSubscriptionStats, ActorFeed" = actorfeed
            "ActorFeed.Messages.SubscriptionStats, ActorFeed" = actorfeed
            "ActorFeed.Messages.GetConditionStatus, ActorFeed" = actorfeed
            "ActorFeed.Messages.ConditionStatus, ActorFeed" = actorfeed
            "ActorFeed.Messages.ListConditions, ActorFeed" = actorfeed
            "ActorFeed.Messages.SearchCondition, ActorFeed" = actorfeed
            "ActorFeed.Messages.SubscribeCondition, ActorFeed" = actorfeed
            "ActorFeed.Messages.UnsubscribeCondition, ActorFeed" = actorfeed
            "ActorFeed.Messages.ConditionList, ActorFeed" = actorfeed
            "ActorFeed.Messages.ConditionEvent, ActorFeed" = actorfeed
            "ActorFeed.Messages.ConditionUnsubscribed, ActorFeed" = actorfeed
            "ActorFeed.Messages.ConditionSearchResult, ActorFeed" = actorfeed
            "ActorFeed.Messages.ConditionRejected, ActorFeed" = actorfeed
            "ActorFeed.Cluster.ClusterProtocol+FindFeed, ActorFeed.Cluster" = actorfeed
            "ActorFeed.Cluster.ClusterProtocol+FeedHere, ActorFeed.Cluster" = actorfeed
            "ActorFeed.Cluster.ClusterProtocol+TickBatch, ActorFeed.Cluster" = actorfeed
            "ActorFeed.Messages.TickBatch, ActorFeed" = actorfeed
            "ActorFeed.Cluster.ClusterProtocol+DesiredSet, ActorFeed.Cluster" = actorfeed
          }
        }
        akka.cluster {
          downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
          split-brain-resolver.active-strategy = keep-majority
        }
        """);

    /// <summary>
    /// Starts this node's part: a singleton manager per app key (only on a node with the key's role), a proxy per key,
    /// and the agent at <c>/user/{name}</c>. The actor system must be a cluster node CREATED with
    /// <see cref="DefaultConfig"/> (as a fallback of its own HOCON) and join a cluster (seed nodes) as usual. The feed's
    /// <c>RevokeTokenOnStop</c> is forced off (tokens are per app key: a minority node downing itself would revoke the
    /// token the majority's new session may be using); this is logged once when it was on.
    /// </summary>
    /// <param name="system">A cluster node (<c>akka.actor.provider = cluster</c>).</param>
    /// <param name="cluster">The app keys and the cluster settings; validated here.</param>
    /// <param name="feed">The feed settings for every key's session (timings, URLs); each key's <c>AppKey</c> and
    /// <c>SecretKey</c> replace the ones in it.</param>
    /// <param name="dependencies">Token client, transports and clock for a key's feed (given the key's settings); null for the real ones.</param>
    /// <param name="name">The agent's name under <c>/user</c>.</param>
    /// <returns>The agent: send it what you would send a feed.</returns>
    /// <exception cref="InvalidOperationException">The ActorFeed messages are not bound to the ActorFeed serializer (the
    /// system was created without <see cref="DefaultConfig"/>).</exception>
    public static IActorRef Start(ActorSystem system, ActorFeedClusterSettings cluster, ActorFeedSettings feed,
        Func<ActorFeedSettings, FeedDependencies>? dependencies = null, string name = DefaultName)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(feed);
        cluster.Validate();
        if (system.Serialization.FindSerializerForType(typeof(Tick)) is not FeedMessageSerializer)
            throw new InvalidOperationException(
                "The ActorFeed messages are not bound to the ActorFeed serializer: create the actor system with FeedCluster.DefaultConfig " +
                "as a fallback of its configuration (ActorSystem.Create(name, config.WithFallback(FeedCluster.DefaultConfig))), or use " +
                "WithActorFeedCluster; bindings added after the system is built (InjectTopLevelFallback) bind nothing.");
        if (feed.RevokeTokenOnStop)
        {
            system.Log.Warning("ActorFeed cluster: revoke-token-on-stop is turned off. Tokens are per app key, so a node that downs itself " +
                "(keep-majority, minority side) would revoke the token the new session on the majority side may share.");
            feed = feed with { RevokeTokenOnStop = false };
        }
        var keySettings = cluster.AppKeys.ToDictionary(k => k.Name, k =>
        {
            var s = feed with { AppKey = k.AppKey, SecretKey = k.SecretKey };
            s.Validate();
            return s;
        });
        system.Settings.InjectTopLevelFallback(CompactMailbox.Registration);
        system.Settings.InjectTopLevelFallback(DefaultConfig);     // for later readers of the config; bindings, provider and SBR had to be there at creation
        var self = Akka.Cluster.Cluster.Get(system);
        var proxies = new Dictionary<string, IActorRef>(StringComparer.Ordinal);
        foreach (var key in cluster.AppKeys)
        {
            var role = cluster.RoleOf(key);
            var managerName = $"{name}-{key.Name}";
            if (self.SelfRoles.Contains(role))
            {
                var settings = keySettings[key.Name];
                var deps = dependencies?.Invoke(settings) ?? FeedDependencies.Real(settings);
                system.ActorOf(ClusterSingletonManager.Props(
                        FeedSingleton.Props(key.Name, settings, deps, cluster.MaxCodesPerSession, name),
                        ClusterProtocol.StopFeed.Instance,
                        ClusterSingletonManagerSettings.Create(system).WithRole(role).WithSingletonName(SingletonName)),
                    managerName);
            }
            proxies[key.Name] = system.ActorOf(ClusterSingletonProxy.Props($"/user/{managerName}",
                ClusterSingletonProxySettings.Create(system).WithRole(role).WithSingletonName(SingletonName)), $"{managerName}-proxy");
        }
        return system.ActorOf(NodeAgent.Props(cluster, proxies), name);
    }

    /// <summary>
    /// The time a leaving node needs to hand a session over: the feed's graceful stop (<see cref="Feed.ShutdownBudget"/>,
    /// without a token revoke: the cluster turns it off) plus a second. CoordinatedShutdown's phase <c>cluster-exiting</c>
    /// (which waits for the hand-over) must allow at least this plus the gossip of the leave; <c>WithActorFeedCluster</c> raises it.
    /// </summary>
    /// <param name="feed">The feed settings.</param>
    /// <returns>The hand-over budget.</returns>
    public static TimeSpan HandOverBudget(ActorFeedSettings feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        return Feed.ShutdownBudget(feed with { RevokeTokenOnStop = false }) + TimeSpan.FromSeconds(1);
    }
}
