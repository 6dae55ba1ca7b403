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

    /// <summary>Singleton -> agent: I hold key <paramref name="KeyName"/>'s session (the sender is the singleton).
    /// <paramref name="Incarnation"/> is new with every start of the singleton actor (a restart keeps its ActorRef): an
    /// agent that sees it change asserts its whole set again. Sent in answer to <see cref="FindFeed"/> and
    /// <see cref="DesiredSet"/>, and by a (re)started singleton to the agent of every member.</summary>
    public sealed record FeedHere(string KeyName, long Incarnation);

    /// <summary>Agent -> singleton, periodically and whenever the link may have lost messages (the singleton found again,
    /// its node reachable again): every pair this agent holds with the key. The singleton reconciles: subscribes what it
    /// lacks, releases what the agent no longer holds (a lost Subscribe or Unsubscribe heals), then answers
    /// <see cref="FeedHere"/>. Akka.Remote is at-most-once, so this is what makes the link self-healing.</summary>
    public sealed record DesiredSet(string KeyName, (string Code, string Type)[] Pairs);

    /// <summary>Agent timer: send <see cref="DesiredSet"/> to every known singleton, resend unconfirmed Subscribes.</summary>
    public sealed class Reconcile
    {
        public static readonly Reconcile Instance = new();
        private Reconcile() { }
    }

    /// <summary>Singleton timer: start the feed again after it stopped unexpectedly (with a growing pause).</summary>
    public sealed class StartFeed
    {
        public static readonly StartFeed Instance = new();
        private StartFeed() { }
    }

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
