using Akka.Cluster.Hosting;
using Akka.Event;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;
using ActorFeed.Cluster;

namespace ActorFeed.Demo;

/// <summary>--cluster-port / --seed: the demo as a node of an ActorFeed cluster (role <c>actorfeed</c>, keep-majority).</summary>
internal static class DemoCluster
{
    public const string SystemName = "actorfeed-demo";

    public static void Configure(AkkaConfigurationBuilder builder, IServiceProvider services, DemoArguments demo)
    {
        builder
            .WithRemoting(new RemoteOptions { HostName = "127.0.0.1", Port = demo.ClusterPort })
            .WithClustering(new ClusterOptions
            {
                Roles = [ActorFeedClusterSettings.DefaultRole],
                SeedNodes = [.. demo.Seeds.Select(s => $"akka.tcp://{SystemName}@{s}")],
                SplitBrainResolver = new KeepMajorityOption(),
            })
            .WithActorFeedCluster(services)
            .WithActors((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                if (demo.Seeds.Count == 0) cluster.Join(cluster.SelfAddress);     // the first node starts the cluster
                system.Log.Info("Cluster node {0} (seeds: {1})", cluster.SelfAddress, demo.Seeds.Count == 0 ? "none, this node starts the cluster" : string.Join(", ", demo.Seeds));
            });
    }
}
