using System.Collections.Concurrent;
using Akka.Actor;
using ActorFeed.Diagnostics;
using ActorFeed.Messages;

namespace ActorFeed.Subscriptions;

/// <summary>
/// Bounds what a slow subscriber actor has queued (<c>actorfeed.subscription.max-pending-ticks</c>). Subscribers get
/// plain <see cref="Tick"/> messages and never acknowledge them, so the only sign of a slow one is its mailbox: for a
/// subscriber in this process, a tick is told only while the subscriber's mailbox holds fewer than
/// <see cref="Max"/> messages. Otherwise the tick is held in its <see cref="TickTarget"/> (one per subscriber, code and
/// type), replacing an older held one, which is dropped and counted in <c>actorfeed.ticks.dropped</c>: the subscriber
/// gets the latest tick of each code once it catches up, and never more than about <see cref="Max"/> messages (plus one
/// held tick per code) wait for it, each keeping its frame's bytes alive: ticks, or for a batched subscriber
/// (<see cref="Messages.Subscribe.Batched"/>) batches of up to a frame's entries. Held ticks go out with the next tick of their
/// code, or from a check every <see cref="FlushInterval"/> on the actor system's scheduler, whichever comes first;
/// a tick of a code is never told after a newer one of the same code. A subscriber in another process (remote) is
/// not measured: its ticks are always told.
/// </summary>
internal sealed class PendingTickLimit(int max, IScheduler scheduler, KeyValuePair<string, object?> metricTag)
{
    /// <summary>How often held ticks are offered again while any is held.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(10);

    private readonly ConcurrentQueue<TickTarget> _held = new();
    private int _flushScheduled;

    /// <summary>Messages a subscriber may have queued before its ticks are held (and conflated) instead of told.</summary>
    public int Max { get; } = max > 0 ? max : throw new ArgumentOutOfRangeException(nameof(max), max, "must be positive (0 means no limit: no PendingTickLimit)");

    /// <summary>Tells <paramref name="tick"/> to the target's subscriber, or holds it while the subscriber is behind.</summary>
    public void Deliver(TickTarget target, Tick tick)
    {
        if (target.Local is not { } local || (Volatile.Read(ref target.Held) is null && Behind(local) < Max))
        {
            target.Tell(tick);    // the common case: no lock, nothing held
            return;
        }
        lock (target)
        {
            if (target.Gone) return;
            if (target.Held is not null) Dropped(target);          // superseded by this one
            if (Behind(local) < Max)
            {
                target.Held = null;
                target.Tell(tick);
                return;
            }
            target.Held = tick;
            if (target.Queued) return;
            target.Queued = true;
            _held.Enqueue(target);
        }
        ScheduleFlush();
    }

    /// <summary>Offers every held tick again; keeps checking while any subscriber is still behind.</summary>
    internal void Flush()
    {
        Volatile.Write(ref _flushScheduled, 0);
        for (var n = _held.Count; n > 0 && _held.TryDequeue(out var target); n--)
        {
            lock (target)
            {
                if (target.Gone || target.Held is null)
                {
                    target.Queued = false;
                    continue;
                }
                if (Behind(target.Local!) >= Max)
                {
                    _held.Enqueue(target);
                    continue;
                }
                target.Tell(target.Held);   // before Held is cleared: the next tick follows it
                target.Held = null;
                target.Queued = false;
            }
        }
        if (!_held.IsEmpty) ScheduleFlush();
    }

    private void ScheduleFlush()
    {
        if (Interlocked.CompareExchange(ref _flushScheduled, 1, 0) == 0)
            scheduler.Advanced.ScheduleOnce(FlushInterval, Flush);
    }

    private static int Behind(ActorRefWithCell subscriber) => subscriber.Underlying.NumberOfMessages;

    /// <summary>
    /// A frame's ticks for one batched subscriber: one <see cref="TickBatch"/> while its mailbox holds fewer than
    /// <see cref="Max"/> messages and nothing is held for it; otherwise each tick goes through <see cref="Deliver"/>
    /// (held and conflated per code, or told as a batch of one), so the order per code and the bound are those of single ticks.
    /// </summary>
    public void DeliverBatch(TickTarget first, IReadOnlyList<(TickTarget Target, Tick Tick)> items, TickBatch batch)
    {
        var clear = first.Local is not { } local || Behind(local) < Max;
        for (var i = 0; clear && i < items.Count; i++)
            if (Volatile.Read(ref items[i].Target.Held) is not null) clear = false;
        if (clear)
        {
            first.Subscriber.Tell(batch, ActorRefs.NoSender);
            return;
        }
        foreach (var (target, tick) in items)
        {
            try { Deliver(target, tick); }
            catch (Exception) { /* that tick is missed, as it would be unbatched */ }
        }
    }

    private void Dropped(TickTarget target) =>
        FeedMetrics.TicksDropped.Add(1, metricTag, new KeyValuePair<string, object?>("code", target.Route.Code));
}
