using System.Runtime.CompilerServices;
using Akka.Actor;
using ActorFeed.Messages;

namespace ActorFeed.Subscriptions;

/// <summary>
/// Who receives the ticks of one code. Its <see cref="SubscriptionActor"/> owns the subscriber sets and publishes a
/// read-only snapshot here on every change (copy-on-write: the array is replaced, never modified); the
/// <see cref="Connection.ConnectionActor"/> reads the latest snapshot for each tick and tells the subscribers directly. That is
/// one mailbox hop per tick instead of two (connection → subscription actor → subscriber), measured in
/// docs/benchmarks.md. The snapshot is published before the subscription actor answers
/// <see cref="SubscriptionRemoved"/>, so only a tick already being delivered at that moment can still follow it.
/// </summary>
internal sealed class TickRoute
{
    private volatile (string Type, IActorRef[] Subscribers)[] _targets = [];
    private IActorRef _owner = ActorRefs.Nobody;

    internal TickRoute(string code) => Code = code;

    public string Code { get; }

    /// <summary>Environment.TickCount64 of the last tick; the staleness gauge reads it.</summary>
    internal StrongBox<long> LastTick { get; set; } = new(Environment.TickCount64);

    /// <summary>Called by the owning SubscriptionActor only (one writer).</summary>
    internal void Publish(Dictionary<string, HashSet<IActorRef>> subscribers, IActorRef owner)
    {
        var targets = new (string Type, IActorRef[] Subscribers)[subscribers.Count];
        var i = 0;
        foreach (var (type, set) in subscribers) targets[i++] = (type, [.. set]);
        _owner = owner;
        _targets = targets;
    }

    /// <summary>Called by the ConnectionActor for every tick of this code.</summary>
    internal void Deliver(Tick tick, long nowTicks)
    {
        Volatile.Write(ref LastTick.Value, nowTicks);
        var targets = _targets;
        for (var t = 0; t < targets.Length; t++)
        {
            if (!ReferenceEquals(targets[t].Type, tick.Type) && !string.Equals(targets[t].Type, tick.Type, StringComparison.Ordinal)) continue;
            var subscribers = targets[t].Subscribers;
            for (var s = 0; s < subscribers.Length; s++)
            {
                // a subscriber's ref that throws (the host's own IActorRef) must fail neither the others nor the link
                try { subscribers[s].Tell(tick, _owner); }
                catch (Exception) { /* that subscriber misses the tick */ }
            }
            return;
        }
    }
}
