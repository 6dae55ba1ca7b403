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
/// Each subscriber of a type is a <see cref="TickTarget"/>, kept from one snapshot to the next, which holds the
/// latest tick a slow subscriber has not been given yet (see <see cref="PendingTickLimit"/>).
/// </summary>
internal sealed class TickRoute
{
    private volatile (string Type, TickTarget[] Targets)[] _targets = [];
    private int _generation;

    internal TickRoute(string code) => Code = code;

    public string Code { get; }

    /// <summary>The SubscriptionActor that owns this route: the sender of every tick.</summary>
    internal IActorRef Owner { get; private set; } = ActorRefs.Nobody;

    /// <summary>Environment.TickCount64 of the last tick; the staleness gauge reads it.</summary>
    internal StrongBox<long> LastTick { get; set; } = new(Environment.TickCount64);

    /// <summary>Called by the owning SubscriptionActor only (one writer).</summary>
    internal void Publish(Dictionary<string, HashSet<IActorRef>> subscribers, IActorRef owner)
    {
        var old = _targets;
        var generation = ++_generation;
        var targets = new (string Type, TickTarget[] Targets)[subscribers.Count];
        var i = 0;
        foreach (var (type, set) in subscribers)
        {
            var before = Lookup(old, type);
            var now = new TickTarget[set.Count];
            var j = 0;
            foreach (var subscriber in set)
            {
                var target = before(subscriber) ?? new TickTarget(this, subscriber);
                target.Generation = generation;
                now[j++] = target;
            }
            targets[i++] = (type, now);
        }
        Owner = owner;
        _targets = targets;
        foreach (var (_, before) in old)                                // whoever left gets nothing still held for them
            foreach (var target in before)
                if (target.Generation != generation) target.Leave();
    }

    /// <summary>Called by the ConnectionActor for every tick of this code; <paramref name="limit"/> null: no limit.</summary>
    internal void Deliver(Tick tick, long nowTicks, PendingTickLimit? limit = null)
    {
        Volatile.Write(ref LastTick.Value, nowTicks);
        var targets = _targets;
        for (var t = 0; t < targets.Length; t++)
        {
            if (!ReferenceEquals(targets[t].Type, tick.Type) && !string.Equals(targets[t].Type, tick.Type, StringComparison.Ordinal)) continue;
            var subscribers = targets[t].Targets;
            var owner = Owner;
            // a subscriber's ref that throws (the host's own IActorRef) must fail neither the others nor the link
            if (limit is null)
                for (var s = 0; s < subscribers.Length; s++)
                {
                    try { subscribers[s].Subscriber.Tell(tick, owner); }
                    catch (Exception) { /* that subscriber misses the tick */ }
                }
            else
                for (var s = 0; s < subscribers.Length; s++)
                {
                    try { limit.Deliver(subscribers[s], tick); }
                    catch (Exception) { /* that subscriber misses the tick */ }
                }
            return;
        }
    }

    /// <summary>The targets of <paramref name="type"/> in a snapshot, by subscriber (a dictionary only for a large set).</summary>
    private static Func<IActorRef, TickTarget?> Lookup((string Type, TickTarget[] Targets)[] targets, string type)
    {
        foreach (var (t, found) in targets)
        {
            if (!string.Equals(t, type, StringComparison.Ordinal)) continue;
            if (found.Length <= 8) return subscriber => Array.Find(found, target => target.Subscriber.Equals(subscriber));
            var bySubscriber = found.ToDictionary(target => target.Subscriber);
            return subscriber => bySubscriber.GetValueOrDefault(subscriber);
        }
        return _ => null;
    }
}

/// <summary>
/// One subscriber of one code and type. Without a <see cref="PendingTickLimit"/> it is just the subscriber; with one,
/// it also holds the latest tick the subscriber has not been given because its mailbox was full.
/// </summary>
internal sealed class TickTarget
{
    internal TickTarget(TickRoute route, IActorRef subscriber)
    {
        Route = route;
        Subscriber = subscriber;
        Local = subscriber as ActorRefWithCell;
    }

    public TickRoute Route { get; }
    public IActorRef Subscriber { get; }

    /// <summary>The subscriber when it lives in this process (its mailbox can be measured), else null.</summary>
    public ActorRefWithCell? Local { get; }

    // guarded by lock (this), read without it only to see that nothing is held
    internal Tick? Held;
    internal bool Queued;
    internal bool Gone;

    /// <summary>The last snapshot of its route this target is in (written by the route's one writer).</summary>
    internal int Generation;

    /// <summary>The subscriber left this code and type: forget what is held for it.</summary>
    internal void Leave()
    {
        lock (this)
        {
            Gone = true;
            Held = null;
        }
    }
}
