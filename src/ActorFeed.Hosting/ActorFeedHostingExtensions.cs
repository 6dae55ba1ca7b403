using Akka.Actor;
using Akka.Hosting;
using ActorFeed.Settings;
using Microsoft.Extensions.Options;

namespace ActorFeed.Hosting;

/// <summary>
/// <c>services.AddActorFeed(configuration)</c> then <c>services.AddAkka("name", b => b.WithActorFeed())</c>.
/// </summary>
public static class ActorFeedHostingExtensions
{
    /// <summary>
    /// Starts the feed at <c>/user/{name}</c> when the actor system starts, with the <see cref="ActorFeedOptions"/>
    /// registered in DI by <see cref="ActorFeedServiceCollectionExtensions.AddActorFeed"/> (section <c>ActorFeed</c>,
    /// plus any <c>Configure</c> / <c>PostConfigure</c>), and registers it in the <see cref="ActorRegistry"/> under
    /// <see cref="ActorFeedActor"/>. HOCON <c>actorfeed { }</c> of the actor system is the baseline; non-null options
    /// override it. Invalid options stop the host start with an <see cref="ActorFeedSettingException"/> naming each
    /// option (<c>ActorFeed:Key</c>) and its HOCON key.
    /// Host shutdown runs CoordinatedShutdown: REMOVE everything, close 1000, revoke the token.
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
        return builder.WithActors((system, registry, resolver) =>
        {
            if (resolver.GetService<ActorFeedServices>() is null)
                throw new InvalidOperationException(
                    $"{nameof(WithActorFeed)}() reads its options from DI: call services.{nameof(ActorFeedServiceCollectionExtensions.AddActorFeed)}(configuration) first.");
            var options = resolver.GetService<IOptions<ActorFeedOptions>>()!;
            Start(system, registry, options.Value, dependencies, name, resolver.GetService<TimeProvider>());
        });
    }

    /// <summary>
    /// As <see cref="WithActorFeed(AkkaConfigurationBuilder, FeedDependencies?, string)"/>, with these options instead of
    /// the ones in DI (a snapshot is taken now). Invalid options throw here, naming the option.
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

    private static void Start(ActorSystem system, IActorRegistry registry, ActorFeedOptions options, FeedDependencies? dependencies, string name,
        TimeProvider? time = null)
    {
        var settings = options.ToSettings(ActorFeedSettings.FromConfig(system.Settings.Config));
        dependencies ??= FeedDependencies.Real(settings) with { Time = time ?? TimeProvider.System };
        var feed = Feed.Start(system, settings, dependencies, name);
        registry.Register<ActorFeedActor>(feed);
    }
}
