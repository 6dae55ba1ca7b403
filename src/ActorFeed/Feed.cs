using Akka;
using Akka.Actor;
using ActorFeed.Settings;
using ActorFeed.Subscriptions;

namespace ActorFeed;

/// <summary>Starts a feed inside an actor system.</summary>
public static class Feed
{
    /// <summary>The default actor name of the feed: it lives at <c>/user/actorfeed</c>.</summary>
    public const string DefaultName = "actorfeed";

    /// <summary>
    /// Creates the <see cref="FeedSupervisor"/> at <c>/user/{name}</c> and registers a CoordinatedShutdown task
    /// (phase before-service-unbind) that REMOVEs every subscription, closes the socket with 1000 and revokes the token.
    /// </summary>
    /// <param name="system">The actor system to run the feed in.</param>
    /// <param name="settings">Credentials, URLs and timings; validated here (throws <see cref="ActorFeedSettingException"/>).</param>
    /// <param name="dependencies">Token client, transports and clock; null for the real ones (<see cref="FeedDependencies.Real"/>).</param>
    /// <param name="name">Actor name, unique in the system; several feeds need several names.</param>
    /// <returns>The feed: send it <see cref="Messages.Subscribe"/>, <see cref="Messages.Unsubscribe"/> and <see cref="Messages.GetFeedStatus"/>.</returns>
    public static IActorRef Start(ActorSystem system, ActorFeedSettings settings, FeedDependencies? dependencies = null, string name = DefaultName)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        system.Settings.InjectTopLevelFallback(CompactMailbox.Registration);
        var feed = system.ActorOf(FeedSupervisor.Props(settings, dependencies), name);
        var timeout = settings.ShutdownTimeout * 2 + TimeSpan.FromSeconds(1);
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, $"stop-{name}", async () =>
        {
            try { await feed.Ask<FeedProtocol.Stopped>(FeedProtocol.Stop.Instance, timeout).ConfigureAwait(false); }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { /* already stopped or too slow: shutdown goes on */ }
            return Done.Instance;
        });
        return feed;
    }
}
