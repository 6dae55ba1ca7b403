using Akka.Configuration;
using ActorFeed.Hosting;

namespace ActorFeed.Cluster.Tests;

/// <summary>The <c>cluster-exiting</c> timeout <c>WithActorFeedCluster</c> sets: the hand-over budget or the user's, the larger.</summary>
public sealed class ShutdownBudgetSpec
{
    private const string HoconKeys = """
        actorfeed.cluster.app-keys = [{ name = k1, app-key = "APPKEY-ONE-0123456789", secret-key = "SECRET-ONE-0123456789" }]
        """;

    [Fact]
    public void WithActorFeedCluster_must_budget_the_hand_over_when_the_keys_come_from_HOCON_and_the_options_have_no_app_key()
    {
        var options = new ActorFeedOptions { ShutdownTimeout = TimeSpan.FromSeconds(20) };

        var seconds = ActorFeedClusterHostingExtensions.ClusterExitingSeconds(ConfigurationFactory.ParseString(HoconKeys), options);

        // 20 s graceful stop + 1 s + the gossip allowance (revoke-on-stop is off in a cluster), not Akka's 10 s default
        Assert.Equal((20 + 1 + ActorFeedClusterHostingExtensions.GossipAllowance.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture), seconds);
    }

    [Fact]
    public void WithActorFeedCluster_must_keep_the_users_cluster_exiting_timeout_when_it_is_longer()
    {
        var hocon = ConfigurationFactory.ParseString(HoconKeys + "\nakka.coordinated-shutdown.phases.cluster-exiting.timeout = 90s");

        Assert.Equal("90", ActorFeedClusterHostingExtensions.ClusterExitingSeconds(hocon, new ActorFeedOptions()));
    }
}
