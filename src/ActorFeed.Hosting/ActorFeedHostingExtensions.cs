using Akka.Actor;
using Akka.Hosting;
using ActorFeed.Settings;

namespace ActorFeed.Hosting;

/// <summary><c>services.AddAkka("name", (b, sp) => b.WithActorFeed(options))</c>.</summary>
public static class ActorFeedHostingExtensions
{
    /// <summary>
    /// Starts the feed at <c>/user/{name}</c> when the actor system starts and registers it in the
    /// <see cref="ActorRegistry"/> under <see cref="ActorFeedActor"/>. HOCON <c>actorfeed { }</c> of the actor
    /// system is the baseline; non-null options override it. Invalid options throw here, naming the option.
    /// Host shutdown runs CoordinatedShutdown: REMOVE everything, close 1000, revoke the token.
    /// </summary>
    public static AkkaConfigurationBuilder WithActorFeed(this AkkaConfigurationBuilder builder, ActorFeedOptions options,
        FeedDependencies? dependencies = null, string name = Feed.DefaultName)
    {
        ArgumentNullException.ThrowIfNull(options);
        var snapshot = options.Clone();
        snapshot.ToSettings();                                   // fail at configuration time with a clear message
        return builder.WithActors((system, registry, _) =>
        {
            var settings = snapshot.ToSettings(ActorFeedSettings.FromConfig(system.Settings.Config));
            var feed = Feed.Start(system, settings, dependencies ?? FeedDependencies.Real(settings), name);
            registry.Register<ActorFeedActor>(feed);
        });
    }

    /// <summary>As <see cref="WithActorFeed(AkkaConfigurationBuilder, ActorFeedOptions, FeedDependencies?, string)"/>, configured in code.</summary>
    public static AkkaConfigurationBuilder WithActorFeed(this AkkaConfigurationBuilder builder, Action<ActorFeedOptions> configure,
        FeedDependencies? dependencies = null, string name = Feed.DefaultName)
    {
        var options = new ActorFeedOptions();
        configure(options);
        return builder.WithActorFeed(options, dependencies, name);
    }
}
