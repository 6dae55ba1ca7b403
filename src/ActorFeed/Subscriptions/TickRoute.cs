using System.Runtime.CompilerServices;
using Akka.Actor;
using ActorFeed.Kiwoom;
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
/// <para>
/// Gaps and pace (issue 11): each type has a <see cref="PairTrack"/>, kept from one snapshot to the next while the type
/// has subscribers, which remembers the last tick delivered (one reference store per tick) and whether the pair's data
/// was interrupted (<see cref="Interrupt"/>, called by the FeedSupervisor when the link is lost or the data stopped).
/// The first tick after an interruption sends the pair's subscribers one <see cref="SubscriptionGap"/> right before
/// that tick, from this thread. Why here and not from the SubscriptionActor: the gap must reach each subscriber before
/// the tick that ends it, and only the thread that tells the tick can order the two (a message through the
/// SubscriptionActor would race the ticks told directly); it is also the only place that sees both ticks without a
/// hop, and it costs the tick path one volatile read. The code's <see cref="Pace"/> learns from every market-data tick
/// (<see cref="RealTypes.IsMarketData"/>), never from an event type such as 0s or 1h.
/// </para>
/// </summary>
internal sealed class TickRoute
{
    private volatile (string Type, TickTarget[] Targets, PairTrack Track)[] _targets = [];
    private int _generation;
    private readonly Func<long>? _paceClock;

    /// <param name="code">The instrument code (empty for the per-account types).</param>
    /// <param name="staleFloor">A code is never stale sooner than this (<see cref="Settings.ActorFeedSettings.StaleFloor"/>).</param>
    /// <param name="paceClock">Milliseconds for <see cref="Pace"/> instead of the receive time given to <see cref="Deliver"/>
    /// (<see cref="Environment.TickCount64"/>): a test clock; null in production.</param>
    internal TickRoute(string code, TimeSpan? staleFloor = null, Func<long>? paceClock = null)
    {
        Code = code;
        Pace = new PaceTracker(staleFloor ?? TimeSpan.FromSeconds(10));
        _paceClock = paceClock;
    }

    public string Code { get; }

    /// <summary>The code's usual pace, learned from every tick of a market-data type (milliseconds of <see cref="NowMs"/>).</summary>
    internal PaceTracker Pace { get; }

    /// <summary>The clock <see cref="Pace"/> runs on: the test clock if given, else <see cref="Environment.TickCount64"/>.</summary>
    internal long NowMs() => _paceClock?.Invoke() ?? Environment.TickCount64;

    /// <summary>The SubscriptionActor that owns this route: the sender of every tick.</summary>
    internal IActorRef Owner { get; private set; } = ActorRefs.Nobody;

    /// <summary>Environment.TickCount64 of the last tick; the staleness gauge reads it.</summary>
    internal StrongBox<long> LastTick { get; set; } = new(Environment.TickCount64);

    /// <summary>Called by the owning SubscriptionActor only (one writer). <paramref name="choice"/>: a subscriber's
    /// <see cref="Subscribe.Batched"/> for a type, kept in its <see cref="TickTarget"/> from then on (a new target starts unbatched).</summary>
    internal void Publish(Dictionary<string, HashSet<IActorRef>> subscribers, IActorRef owner, (string Type, IActorRef Subscriber, bool Batched)? choice = null)
    {
        var old = _targets;
        var generation = ++_generation;
        var targets = new (string Type, TickTarget[] Targets, PairTrack Track)[subscribers.Count];
        var i = 0;
        foreach (var (type, set) in subscribers)
        {
            var before = Lookup(old, type);
            var track = Array.Find(old, e => string.Equals(e.Type, type, StringComparison.Ordinal)).Track ?? new PairTrack();
            var now = new TickTarget[set.Count];
            var j = 0;
            foreach (var subscriber in set)
            {
                var target = before(subscriber) ?? new TickTarget(this, subscriber);
                target.Generation = generation;
                if (choice is { } c && string.Equals(c.Type, type, StringComparison.Ordinal) && c.Subscriber.Equals(subscriber)) target.Batched = c.Batched;
                now[j++] = target;
            }
            targets[i++] = (type, now, track);
        }
        Owner = owner;
        _targets = targets;
        foreach (var (_, before, _) in old)                                // whoever left gets nothing still held for them
            foreach (var target in before)
                if (target.Generation != generation) target.Leave();
    }

    /// <summary>Called by the receive loop for every tick of this code; <paramref name="limit"/> null: no limit. A subscriber
    /// that asked for batches gets the tick added to <paramref name="batches"/> (sent when the frame is done), or, without
    /// <paramref name="batches"/>, a <see cref="TickBatch"/> of this one tick at once.</summary>
    internal void Deliver(Tick tick, long nowTicks, PendingTickLimit? limit = null, FrameBatches? batches = null)
    {
        // only market data says the code is alive: an event type on this code (0s session push, 1h VI start / stop) would
        // reset its silence (the staleness gauge and the pace) and teach a pace of hours
        if (RealTypes.IsMarketData(tick.Type))
        {
            Volatile.Write(ref LastTick.Value, nowTicks);
            Pace.OnTick(_paceClock is null ? nowTicks : _paceClock());
        }
        var targets = _targets;
        for (var t = 0; t < targets.Length; t++)
        {
            if (!ReferenceEquals(targets[t].Type, tick.Type) && !string.Equals(targets[t].Type, tick.Type, StringComparison.Ordinal)) continue;
            var subscribers = targets[t].Targets;
            var owner = Owner;
            var track = targets[t].Track;
            if (Volatile.Read(ref track.Interruption) is not null) AnnounceGap(track, tick, subscribers, owner, batches);
            Volatile.Write(ref track.Last, tick);
            Volatile.Write(ref track.Ticks, track.Ticks + 1);        // one writer (the receive thread): no interlock
            // a subscriber's ref that throws (the host's own IActorRef) must fail neither the others nor the link
            for (var s = 0; s < subscribers.Length; s++)
            {
                var target = subscribers[s];
                try
                {
                    if (target.Batched)
                    {
                        if (batches is not null) batches.Add(target, tick);
                        else if (limit is null) target.Subscriber.Tell(new TickBatch([tick]), ActorRefs.NoSender);
                        else limit.Deliver(target, tick);
                    }
                    else
                    {
                        // what this subscriber collected earlier in the frame (other pairs it takes batched, or this one
                        // before it switched to single ticks) goes first: frame order holds per subscriber
                        if (batches is { HasOpen: true }) batches.Send(target.Subscriber);
                        if (limit is null) target.Subscriber.Tell(tick, owner);
                        else limit.Deliver(target, tick);
                    }
                }
                catch (Exception) { /* that subscriber misses the tick */ }
            }
            return;
        }
    }

    /// <summary>
    /// Sends the gap that <paramref name="firstAfter"/> ends to every subscriber of its type (told, never held: a gap is
    /// rare and must not be conflated), and a copy to the <see cref="Owner"/>, which logs it. Exactly once: the marker
    /// is taken with an exchange (the FeedSupervisor may set a new one at any time).
    /// </summary>
    private void AnnounceGap(PairTrack track, Tick firstAfter, TickTarget[] subscribers, IActorRef owner, FrameBatches? batches)
    {
        if (Interlocked.Exchange(ref track.Interruption, null) is not { } interruption) return;
        SubscriptionGap gap;
        try
        {
            gap = GapMeasure.Between(Volatile.Read(ref track.Last), firstAfter, interruption.SilentSince, interruption.Cause);
        }
        catch (Exception)
        {
            // this runs on the receive thread: a tick the measure cannot read must cost neither the link nor the notice
            gap = new SubscriptionGap(firstAfter.Code, firstAfter.Type, interruption.SilentSince, firstAfter.ReceivedAt, interruption.Cause, null);
        }
        Interlocked.Increment(ref track.Gaps);
        Volatile.Write(ref track.LastGap, gap);
        for (var s = 0; s < subscribers.Length; s++)
        {
            // the subscriber's batched ticks of this frame so far go first (of any pair): the gap follows every tick before it
            batches?.Send(subscribers[s].Subscriber);
            try { subscribers[s].Subscriber.Tell(gap, owner); }
            catch (Exception) { /* that subscriber misses the notice, as it would a tick */ }
        }
        owner.Tell(gap, ActorRefs.NoSender);
    }

    /// <summary>
    /// The FeedSupervisor's call when the data of this code stopped (link lost, no data): marks every type that was
    /// confirmed at least once and is not marked yet, so that its first tick after brings the gap. A type never
    /// confirmed gets no gap (its first confirmation is not a recovery). A second interruption before any tick keeps
    /// the first cause and start. The pace restarts: the outage teaches it nothing.
    /// </summary>
    internal void Interrupt(string cause)
    {
        var marked = false;
        foreach (var (_, _, track) in _targets)
        {
            if (track.ConfirmedAt is not { } confirmedAt || Volatile.Read(ref track.Interruption) is not null) continue;
            var since = Volatile.Read(ref track.Last)?.ReceivedAt ?? confirmedAt;
            Interlocked.CompareExchange(ref track.Interruption, new Interruption(cause, since), null);
            marked = true;
        }
        if (marked) Pace.Restart(NowMs());
    }

    /// <summary>
    /// The FeedSupervisor's call when the server confirmed <paramref name="type"/> (first time or again): remembers the
    /// first confirmation (the start of a gap when no tick came before it), and measures silence from now on when the
    /// pair is still waiting for its first tick after an interruption.
    /// </summary>
    internal void Confirmed(string type, DateTimeOffset at)
    {
        foreach (var (t, _, track) in _targets)
        {
            if (!string.Equals(t, type, StringComparison.Ordinal)) continue;
            track.ConfirmedAt ??= at;
            if (Volatile.Read(ref track.Interruption) is not null) Pace.Restart(NowMs());
            return;
        }
    }

    /// <summary>
    /// What the dashboard shows of each type of this code (read on the FeedSupervisor's thread from the latest snapshot:
    /// the counters are written by the receive thread, so a reading may be one tick behind).
    /// </summary>
    internal void Collect(List<PairCounters> into)
    {
        foreach (var (type, _, track) in _targets)
            into.Add(new PairCounters(Code, type, Volatile.Read(ref track.Ticks), Volatile.Read(ref track.Last),
                Volatile.Read(ref track.Gaps), Volatile.Read(ref track.LastGap)));
    }

    /// <summary>The targets of <paramref name="type"/> in a snapshot, by subscriber (a dictionary only for a large set).</summary>
    private static Func<IActorRef, TickTarget?> Lookup((string Type, TickTarget[] Targets, PairTrack Track)[] targets, string type)
    {
        foreach (var (t, found, _) in targets)
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

    /// <summary>The subscriber asked for <see cref="TickBatch"/> messages (written by the route's one writer before it
    /// publishes the snapshot).</summary>
    internal bool Batched;

    /// <summary>Tells the subscriber one tick: the tick with the route's owner as sender, or a batch of that one tick with
    /// none (a batch may span codes). <see cref="Batched"/> is read once, so a switch in between cannot mix the two.</summary>
    internal void Tell(Tick tick)
    {
        if (Batched) Subscriber.Tell(new TickBatch([tick]), ActorRefs.NoSender);
        else Subscriber.Tell(tick, Route.Owner);
    }

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

/// <summary>
/// What the route remembers of one code and type across snapshots (while the type has subscribers): the last tick
/// delivered, the first confirmation, and a pending interruption. A type that loses its last subscriber loses its
/// track: subscribed again, it starts as new (no gap).
/// </summary>
internal sealed class PairTrack
{
    /// <summary>The last tick delivered; written by the receive thread, read by the FeedSupervisor when it marks.</summary>
    internal Tick? Last;

    /// <summary>Set by the FeedSupervisor, taken by the first tick after it (<see cref="TickRoute.Interrupt"/>).</summary>
    internal Interruption? Interruption;

    /// <summary>When the server first confirmed the pair; the FeedSupervisor's thread only.</summary>
    internal DateTimeOffset? ConfirmedAt;

    /// <summary>Ticks delivered (the dashboard's rate); written by the receive thread only.</summary>
    internal long Ticks;

    /// <summary>Gap notices sent, and the last one (the dashboard); written when a gap is announced (rare).</summary>
    internal int Gaps;

    /// <inheritdoc cref="Gaps"/>
    internal SubscriptionGap? LastGap;
}

/// <summary>A reading of one pair's <see cref="PairTrack"/> for the dashboard (<see cref="TickRoute.Collect"/>).</summary>
internal readonly record struct PairCounters(string Code, string Type, long Ticks, Tick? Last, int Gaps, SubscriptionGap? LastGap);

/// <summary>Why the data of a pair stopped, and since when (the last tick before, or the confirmation if none came).</summary>
internal sealed record Interruption(string Cause, DateTimeOffset SilentSince);
