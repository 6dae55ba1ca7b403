using Akka;
using Akka.Actor;
using Akka.Event;
using ActorFeed.Settings;
using ActorFeed.Subscriptions;

namespace ActorFeed;

/// <summary>Starts a feed inside an actor system.</summary>
public static class Feed
{
    /// <summary>The default actor name of the feed: it lives at <c>/user/actorfeed</c>.</summary>
    public const string DefaultName = "actorfeed";

    /// <summary>The CoordinatedShutdown phase the feed stops in: <c>before-service-unbind</c>.</summary>
    public const string ShutdownPhase = CoordinatedShutdown.PhaseBeforeServiceUnbind;

    /// <summary>The HOCON key of that phase's timeout, which must be at least <see cref="ShutdownBudget"/>.</summary>
    public const string ShutdownPhaseTimeoutKey = "akka.coordinated-shutdown.phases.before-service-unbind.timeout";

    /// <summary>
    /// Creates the <see cref="FeedSupervisor"/> at <c>/user/{name}</c> and registers a CoordinatedShutdown task in
    /// <see cref="ShutdownPhase"/> that REMOVEs every subscription, closes the socket with 1000 and, if
    /// <see cref="ActorFeedSettings.RevokeTokenOnStop"/>, revokes the token. Logs a warning when that phase's timeout
    /// (<see cref="ShutdownPhaseTimeoutKey"/>) is shorter than <see cref="ShutdownBudget"/>: CoordinatedShutdown
    /// would then terminate the system before a slow close (a bad link) has finished.
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
        var shutdown = CoordinatedShutdown.Get(system);
        var budget = ShutdownBudget(settings);
        var phaseTimeout = shutdown.Timeout(ShutdownPhase);
        if (phaseTimeout < budget)
            system.Log.Warning("Feed {Feed}: CoordinatedShutdown phase {Phase} allows {PhaseTimeout}, but a graceful stop may take up to {Budget} " +
                "(actorfeed.shutdown.timeout for the close{Revoke}); on a bad link the system would terminate first. Set {Key} = {Seconds}s or more.",
                new object[] { name, ShutdownPhase, phaseTimeout, budget, settings.RevokeTokenOnStop ? ", as long again for the token revoke" : "",
                    ShutdownPhaseTimeoutKey, Math.Ceiling(budget.TotalSeconds) + 1 });
        shutdown.AddTask(ShutdownPhase, $"stop-{name}", async () =>
        {
            // terminated within the budget, or already: either way shutdown goes on (the feed bounds every step itself)
            await feed.GracefulStop(budget + TimeSpan.FromSeconds(1), FeedProtocol.Stop.Instance).ConfigureAwait(false);
            return Done.Instance;
        });
        return feed;
    }

    /// <summary>
    /// The longest a graceful stop of a feed with <paramref name="settings"/> takes:
    /// <see cref="ActorFeedSettings.ShutdownTimeout"/> for REMOVE and close, and as long again for the token revoke
    /// when <see cref="ActorFeedSettings.RevokeTokenOnStop"/> is on. The CoordinatedShutdown phase
    /// (<see cref="ShutdownPhaseTimeoutKey"/>) must allow at least this.
    /// </summary>
    /// <param name="settings">The feed's settings.</param>
    /// <returns>The time the feed may need to stop.</returns>
    public static TimeSpan ShutdownBudget(ActorFeedSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.RevokeTokenOnStop ? settings.ShutdownTimeout * 2 : settings.ShutdownTimeout;
    }
}
