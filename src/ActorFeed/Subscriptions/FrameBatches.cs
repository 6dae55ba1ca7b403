using Akka.Actor;
using ActorFeed.Messages;

namespace ActorFeed.Subscriptions;

/// <summary>
/// The ticks of the frame being delivered for each subscriber that asked for batches (<see cref="Subscribe.Batched"/>):
/// the <see cref="TickRoute"/> adds them while the receive loop walks the frame, and <see cref="SendAll"/> tells each
/// subscriber one <see cref="TickBatch"/> when the frame is done. Used by the receive loop's thread only; reused frame
/// after frame (nothing kept between frames but empty slots).
/// </summary>
internal sealed class FrameBatches(PendingTickLimit? limit)
{
    private readonly Dictionary<IActorRef, Slot> _bySubscriber = [];
    private readonly List<Slot> _open = [];
    private readonly Stack<Slot> _free = new();
    private Slot? _last;

    /// <summary>True while some subscriber has ticks collected in this frame (a single tick told to a subscriber must then
    /// let its collected ones go first).</summary>
    public bool HasOpen => _open.Count > 0;

    /// <summary>Adds <paramref name="tick"/> to the batch of <paramref name="target"/>'s subscriber.</summary>
    public void Add(TickTarget target, Tick tick)
    {
        var slot = _last is { } last && ReferenceEquals(last.Subscriber, target.Subscriber) ? last : Find(target.Subscriber) ?? Open(target);
        slot.Items.Add((target, tick));
        _last = slot;
    }

    /// <summary>Tells <paramref name="subscriber"/> what it has collected so far (before a gap notice for it).</summary>
    public void Send(IActorRef subscriber)
    {
        if (Find(subscriber) is { Items.Count: > 0 } slot) Send(slot);
    }

    /// <summary>The frame is done: tells every subscriber its batch and empties the slots.</summary>
    public void SendAll()
    {
        if (_open.Count == 0) return;
        foreach (var slot in _open)
        {
            if (slot.Items.Count > 0) Send(slot);
            slot.Subscriber = ActorRefs.Nobody;           // a free slot keeps no subscriber, target or tick alive
            slot.First = null;
            _free.Push(slot);
        }
        _open.Clear();
        _bySubscriber.Clear();
        _last = null;
    }

    private Slot? Find(IActorRef subscriber) => _bySubscriber.GetValueOrDefault(subscriber);

    private Slot Open(TickTarget target)
    {
        var slot = _free.TryPop(out var s) ? s : new Slot();
        slot.Subscriber = target.Subscriber;
        slot.First = target;
        _bySubscriber[target.Subscriber] = slot;
        _open.Add(slot);
        return slot;
    }

    private void Send(Slot slot)
    {
        // a pair the subscriber left while the frame was delivered (its target is Gone) gets nothing more
        var count = 0;
        foreach (var (target, _) in slot.Items) if (!Volatile.Read(ref target.Gone)) count++;
        if (count == 0)
        {
            slot.Items.Clear();
            return;
        }
        var ticks = new Tick[count];
        var n = 0;
        foreach (var (target, tick) in slot.Items) if (!Volatile.Read(ref target.Gone)) ticks[n++] = tick;
        var batch = new TickBatch(ticks);
        // a subscriber's ref that throws (the host's own IActorRef) must fail neither the others nor the link
        try
        {
            if (limit is null) slot.Subscriber.Tell(batch, ActorRefs.NoSender);
            else limit.DeliverBatch(slot.First!, slot.Items, batch);
        }
        catch (Exception) { /* that subscriber misses the batch */ }
        slot.Items.Clear();
    }

    private sealed class Slot
    {
        public IActorRef Subscriber = ActorRefs.Nobody;
        public TickTarget? First;
        public readonly List<(TickTarget Target, Tick Tick)> Items = [];
    }
}
