namespace ActorFeed.Cluster;

/// <summary>Messages between the node agents and the singletons (serialized by <see cref="FeedMessageSerializer"/>).</summary>
internal static class ClusterProtocol
{
    /// <summary>Agent -> singleton (through the proxy): who holds the session of this key now? Answered with <see cref="FeedHere"/>.</summary>
    public sealed class FindFeed
    {
        public static readonly FindFeed Instance = new();
        private FindFeed() { }
    }

    /// <summary>Singleton -> agent: I hold key <paramref name="KeyName"/>'s session (the sender is the singleton).</summary>
    public sealed record FeedHere(string KeyName);

    /// <summary>The singleton's termination message (hand-over, leaving): stop the feed gracefully (REMOVE, close),
    /// then stop, so that the next node logs in only after this session is gone. Local only (the manager sends it).</summary>
    public sealed class StopFeed
    {
        public static readonly StopFeed Instance = new();
        private StopFeed() { }
    }

    /// <summary>Ticks for one remote agent, in the order received (<see cref="TickRelay"/>).</summary>
    public sealed record TickBatch(ActorFeed.Messages.Tick[] Ticks);

    /// <summary>Agent timer: ask the proxies of the keys without a known singleton again.</summary>
    public sealed class LookUp
    {
        public static readonly LookUp Instance = new();
        private LookUp() { }
    }
}
