using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using ActorFeed.Hosting;
using ActorFeed.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ActorFeed.Cluster;

/// <summary>
/// <c>services.AddActorFeed(configuration)</c>, then in <c>AddAkka("name", (b, sp) => ...)</c>:
/// <c>b.WithRemoting(...).WithClustering(new ClusterOptions { Roles = ["actorfeed"], SeedNodes = [...] }).WithActorFeedCluster(sp)</c>.
/// </summary>
public static class ActorFeedClusterHostingExtensions
{
    /// <summary>The configuration section of the cluster settings: <c>ActorFeed:Cluster</c> (<c>AppKeys:0:Name</c>,
    /// <c>AppKeys:0:AppKey</c>, <c>AppKeys:0:SecretKey</c>, <c>AppKeys:0:Role</c>, <c>MaxCodesPerSession</c>, <c>Role</c>).</summary>
    public const string SectionName = "ActorFeed:Cluster";

    /// <summary>The key name used when no app keys are configured for the cluster and the feed options' own
    /// <c>AppKey</c> / <c>SecretKey</c> are taken: <c>main</c>.</summary>
    public const string DefaultKeyName = "main";

    /// <summary>
    /// Runs ActorFeed on this cluster node: the app keys' singletons (on nodes with their role), a proxy per key and the
    /// node's agent, registered in the <see cref="ActorRegistry"/> under <see cref="ActorFeedActor"/> (so
    /// <see cref="IActorFeedClient"/> works on every node). Feed settings come from the <see cref="ActorFeedOptions"/> in
    /// DI (<c>AddActorFeed</c>) over the actor system's HOCON; the cluster settings from <paramref name="cluster"/>, else
    /// the configuration section <see cref="SectionName"/>, else HOCON <c>actorfeed.cluster</c>, else one key named
    /// <see cref="DefaultKeyName"/> with the options' <c>AppKey</c> / <c>SecretKey</c>. Adds
    /// <see cref="FeedCluster.DefaultConfig"/> (serializer, keep-majority) to the HOCON the system is built with, and gives
    /// CoordinatedShutdown's <c>cluster-exiting</c> phase the time a hand-over needs (<see cref="FeedCluster.HandOverBudget"/>
    /// plus a few seconds for gossip), or the phase's configured timeout when that is longer. The clustering
    /// itself (remoting, seeds, roles) is configured with Akka.Cluster.Hosting's <c>WithRemoting</c> / <c>WithClustering</c>.
    /// Secrets are never logged.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="services">The service provider of <c>AddAkka("name", (builder, services) => ...)</c>.</param>
    /// <param name="cluster">The cluster settings; null to read them as described.</param>
    /// <param name="dependencies">Token client, transports and clock of a key's feed (given its settings); null for the real ones.</param>
    /// <returns>The same builder.</returns>
    public static AkkaConfigurationBuilder WithActorFeedCluster(this AkkaConfigurationBuilder builder, IServiceProvider services,
        ActorFeedClusterSettings? cluster = null, Func<ActorFeedSettings, FeedDependencies>? dependencies = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(services);
        var options = services.GetService<IOptions<ActorFeedOptions>>()?.Value.Clone()
            ?? throw new InvalidOperationException($"{nameof(WithActorFeedCluster)}() reads the feed options from DI: call services.AddActorFeed(configuration) first.");
        cluster ??= FromConfiguration(services.GetService<IConfiguration>());
        builder.AddHocon(FeedCluster.DefaultConfig, HoconAddMode.Append);
        var hocon = builder.Configuration.HasValue ? builder.Configuration.Value : Akka.Configuration.Config.Empty;
        builder.AddHocon($"akka.coordinated-shutdown.phases.cluster-exiting.timeout = {ClusterExitingSeconds(hocon, options)}s", HoconAddMode.Prepend);
        return builder.WithActors((system, registry, _) =>
        {
            var fromHocon = ActorFeedSettings.FromConfig(system.Settings.Config);
            var settings = cluster ?? (system.Settings.Config.HasPath("actorfeed.cluster.app-keys")
                ? ActorFeedClusterSettings.FromConfig(system.Settings.Config)
                : OneKey(options.ToSettings(fromHocon)));
            var feed = options.ToSettings(WithSomeKey(fromHocon, settings, options));
            var agent = FeedCluster.Start(system, settings, feed, dependencies);
            registry.Register<ActorFeedActor>(agent);
        });
    }

    /// <summary>What a leaving node gives CoordinatedShutdown's <c>cluster-exiting</c> phase (which waits for the hand-over):
    /// the larger of the user's own timeout (Akka's default 10 s) and the hand-over budget plus <see cref="GossipAllowance"/>.</summary>
    internal static string ClusterExitingSeconds(Akka.Configuration.Config hocon, ActorFeedOptions options)
    {
        const string key = "akka.coordinated-shutdown.phases.cluster-exiting.timeout";
        var user = hocon.HasPath(key) ? hocon.GetTimeSpan(key) : TimeSpan.FromSeconds(10);
        TimeSpan budget;
        try
        {
            // the budget depends on timings only: the options' own key, else a stand-in (the cluster's keys, from
            // configuration, HOCON or arguments, replace it per session anyway)
            var baseline = ActorFeedSettings.FromConfig(hocon);
            if (string.IsNullOrEmpty(options.AppKey) && string.IsNullOrEmpty(baseline.AppKey))
                baseline = baseline with { AppKey = "budget-only", SecretKey = "budget-only" };
            budget = FeedCluster.HandOverBudget(options.ToSettings(baseline)) + GossipAllowance;
        }
        catch (ActorFeedSettingException)
        {
            budget = TimeSpan.Zero;                     // invalid options: the start reports them; the user's timeout stands
        }
        return Math.Ceiling(Math.Max(budget.TotalSeconds, user.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Time for the leave to spread by gossip and the singleton's hand-over messages, on top of the feed's stop.</summary>
    internal static readonly TimeSpan GossipAllowance = TimeSpan.FromSeconds(3);

    /// <summary>The feed options need an app key to validate; a cluster's keys replace it per session anyway.</summary>
    private static ActorFeedSettings WithSomeKey(ActorFeedSettings baseline, ActorFeedClusterSettings? cluster, ActorFeedOptions options)
    {
        if (!string.IsNullOrEmpty(options.AppKey) || cluster is not { AppKeys.Count: > 0 }) return baseline;
        return baseline with { AppKey = cluster.AppKeys[0].AppKey, SecretKey = cluster.AppKeys[0].SecretKey };
    }

    private static ActorFeedClusterSettings OneKey(ActorFeedSettings feed)
    {
        var settings = new ActorFeedClusterSettings { AppKeys = [new AppKeyCredentials(DefaultKeyName, feed.AppKey, feed.SecretKey)] };
        settings.Validate();
        return settings;
    }

    /// <summary>The cluster settings of section <see cref="SectionName"/>; null when it has no app keys.</summary>
    private static ActorFeedClusterSettings? FromConfiguration(IConfiguration? configuration)
    {
        var section = configuration?.GetSection(SectionName);
        if (section is null || !section.GetSection("AppKeys").GetChildren().Any()) return null;
        var keys = section.GetSection("AppKeys").GetChildren()
            .Select(k => new AppKeyCredentials(k["Name"] ?? "", k["AppKey"] ?? "", k["SecretKey"] ?? "", k["Role"]))
            .ToList();
        var settings = new ActorFeedClusterSettings { AppKeys = keys };
        if (section["Role"] is { } role) settings = settings with { Role = role };
        if (section["MaxCodesPerSession"] is { } max)
            settings = settings with
            {
                MaxCodesPerSession = int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                    : throw new ActorFeedSettingException($"{SectionName}:MaxCodesPerSession", "not a whole number"),
            };
        settings.Validate();
        return settings;
    }
}
