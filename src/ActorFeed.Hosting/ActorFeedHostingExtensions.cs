using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using ActorFeed.Settings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ActorFeed.Hosting;

/// <summary>
/// <c>services.AddActorFeed(configuration)</c> then <c>services.AddAkka("name", (b, sp) => b.WithActorFeed(sp))</c>.
/// </summary>
/// <remarks>
/// The feed stops gracefully in CoordinatedShutdown's phase before-service-unbind, which Akka gives 5 s by default;
/// a graceful stop may need longer (<see cref="Feed.ShutdownBudget"/>: <c>actorfeed.shutdown.timeout</c>, twice with
/// <c>actorfeed.token.revoke-on-stop</c>). The overloads that know the options when the actor system is configured
/// (with the service provider, with options, with a configure action) raise that phase's timeout to fit; the one
/// without arguments reads the options only once the system runs, so it can size the phase for the actor system's
/// HOCON alone, and the feed logs a warning at start if the options then need more.
/// </remarks>
public static class ActorFeedHostingExtensions
{
    /// <summary>
    /// Starts the feed at <c>/user/{name}</c> when the actor system starts, with the <see cref="ActorFeedOptions"/>
    /// registered in DI by <see cref="ActorFeedServiceCollectionExtensions.AddActorFeed"/> (section <c>ActorFeed</c>,
    /// plus any <c>Configure</c> / <c>PostConfigure</c>), read from <paramref name="services"/> now, and registers it in the
    /// <see cref="ActorRegistry"/> under <see cref="ActorFeedActor"/>. HOCON <c>actorfeed { }</c> of the actor system is
    /// the baseline; non-null options override it. Invalid options stop the host start with an
    /// <see cref="ActorFeedSettingException"/> naming each option (<c>ActorFeed:Key</c>) and its HOCON key. Host shutdown runs CoordinatedShutdown: REMOVE everything, close 1000, revoke the
    /// token if <c>RevokeTokenOnStop</c>; the shutdown phase is given the time that needs.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="services">The service provider of <c>AddAkka("name", (builder, services) => ...)</c>.</param>
    /// <param name="dependencies">Token client, transports and clock; null for the real ones, with the
    /// <see cref="TimeProvider"/> registered in DI as the clock if there is one (the health check uses it too).</param>
    /// <param name="name">The feed actor's name under <c>/user</c>; defaults to <see cref="Feed.DefaultName"/>.</param>
    /// <returns>The same builder.</returns>
    public static AkkaConfigurationBuilder WithActorFeed(this AkkaConfigurationBuilder builder, IServiceProvider services,
        FeedDependencies? dependencies = null, string name = Feed.DefaultName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(services);
        if (services.GetService<ActorFeedServices>() is null) throw NoOptions();
        var options = services.GetRequiredService<IOptions<ActorFeedOptions>>();
        var snapshot = options.Value.Clone();
        var time = services.GetService<TimeProvider>();
        SizeShutdownPhase(builder, snapshot);
        return builder.WithActors((system, registry, _) => Start(system, registry, snapshot, dependencies, name, time));
    }

    /// <summary>
    /// As <see cref="WithActorFeed(AkkaConfigurationBuilder, IServiceProvider, FeedDependencies?, string)"/>, reading the
    /// options from DI only when the actor system starts (through its dependency resolver). It cannot size the shutdown
    /// phase for options it has not seen yet (only for the actor system's HOCON): prefer the overload with the service
    /// provider when <c>ShutdownTimeout</c> or <c>RevokeTokenOnStop</c> is set as an option.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="dependencies">Token client, transports and clock; null for the real ones, with the
    /// <see cref="TimeProvider"/> registered in DI as the clock if there is one (the health check uses it too).</param>
    /// <param name="name">The feed actor's name under <c>/user</c>; defaults to <see cref="Feed.DefaultName"/>.</param>
    /// <returns>The same builder.</returns>
    public static AkkaConfigurationBuilder WithActorFeed(this AkkaConfigurationBuilder builder,
        FeedDependencies? dependencies = null, string name = Feed.DefaultName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        SizeShutdownPhase(builder, null);
        return builder.WithActors((system, registry, resolver) =>
        {
            if (resolver.GetService<ActorFeedServices>() is null) throw NoOptions();
            var options = resolver.GetService<IOptions<ActorFeedOptions>>()!;
            Start(system, registry, options.Value, dependencies, name, resolver.GetService<TimeProvider>());
        });
    }

    /// <summary>
    /// As <see cref="WithActorFeed(AkkaConfigurationBuilder, IServiceProvider, FeedDependencies?, string)"/>, with these
    /// options instead of the ones in DI (a snapshot is taken now). Invalid options throw here, naming the option.
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="options">The options; copied.</param>
    /// <param name="dependencies">Token client, transports and clock; null for the real ones.</param>
    /// <param name="name">The feed actor's name under <c>/user</c>; defaults to <see cref="Feed.DefaultName"/>.</param>
    /// <returns>The same builder.</returns>
    public static AkkaConfigurationBuilder WithActorFeed(this AkkaConfigurationBuilder builder, ActorFeedOptions options,
        FeedDependencies? dependencies = null, string name = Feed.DefaultName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        var snapshot = options.Clone();
        snapshot.ToSettings();                                   // fail at configuration time with a clear message
        SizeShutdownPhase(builder, snapshot);
        return builder.WithActors((system, registry, resolver) => Start(system, registry, snapshot, dependencies, name, resolver.GetService<TimeProvider>()));
    }

    /// <summary>
    /// As <see cref="WithActorFeed(AkkaConfigurationBuilder, ActorFeedOptions, FeedDependencies?, string)"/>, configured in
    /// code (starting from empty options, not from DI).
    /// </summary>
    /// <param name="builder">The Akka.Hosting builder.</param>
    /// <param name="configure">Sets the options.</param>
    /// <param name="dependencies">Token client, transports and clock; null for the real ones.</param>
    /// <param name="name">The feed actor's name under <c>/user</c>; defaults to <see cref="Feed.DefaultName"/>.</param>
    /// <returns>The same builder.</returns>
    public static AkkaConfigurationBuilder WithActorFeed(this AkkaConfigurationBuilder builder, Action<ActorFeedOptions> configure,
        FeedDependencies? dependencies = null, string name = Feed.DefaultName)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new ActorFeedOptions();
        configure(options);
        return builder.WithActorFeed(options, dependencies, name);
    }

    /// <summary>
    /// Raises <see cref="Feed.ShutdownPhaseTimeoutKey"/> (prepended HOCON) to the feed's <see cref="Feed.ShutdownBudget"/>
    /// plus a second, computed from the builder's HOCON so far with <paramref name="options"/> on top; never lowers it.
    /// Invalid settings are left for the start to report.
    /// </summary>
    private static void SizeShutdownPhase(AkkaConfigurationBuilder builder, ActorFeedOptions? options)
    {
        var hocon = builder.Configuration.HasValue ? builder.Configuration.Value : Config.Empty;
        ActorFeedSettings settings;
        try
        {
            var baseline = ActorFeedSettings.FromConfig(hocon);
            settings = options?.ToSettings(baseline) ?? baseline;
        }
        catch (ActorFeedSettingException)
        {
            return;
        }
        var needed = Feed.ShutdownBudget(settings) + TimeSpan.FromSeconds(1);
        var current = ReadTimeout(hocon, Feed.ShutdownPhaseTimeoutKey) ?? ReadTimeout(hocon, "akka.coordinated-shutdown.default-phase-timeout");
        if (current >= needed) return;
        var seconds = Math.Ceiling(needed.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        builder.AddHocon($"{Feed.ShutdownPhaseTimeoutKey} = {seconds}s", HoconAddMode.Prepend);
    }

    private static TimeSpan? ReadTimeout(Config hocon, string key)
    {
        try
        {
            return hocon.HasPath(key) ? hocon.GetTimeSpan(key, null, allowInfinite: false) : null;
        }
        catch (Exception e) when (e is FormatException or Akka.Configuration.ConfigurationException)
        {
            return null;
        }
    }

    private static InvalidOperationException NoOptions() => new(
        $"{nameof(WithActorFeed)}() reads its options from DI: call services.{nameof(ActorFeedServiceCollectionExtensions.AddActorFeed)}(configuration) first.");

    private static void Start(ActorSystem system, IActorRegistry registry, ActorFeedOptions options, FeedDependencies? dependencies, string name,
        TimeProvider? time = null)
    {
        var settings = options.ToSettings(ActorFeedSettings.FromConfig(system.Settings.Config));
        dependencies ??= FeedDependencies.Real(settings) with { Time = time ?? TimeProvider.System };
        var feed = Feed.Start(system, settings, dependencies, name);
        registry.Register<ActorFeedActor>(feed);
        // the dashboard's memory (timeline, recoveries) starts with the feed; it samples only while a page is open
        var collector = system.ActorOf(Dashboard.DashboardCollector.Props(feed, [settings.AppKey, settings.SecretKey], time: dependencies.Time),
            name + "-dashboard");
        registry.Register<Dashboard.DashboardCollector>(collector);
    }
}
