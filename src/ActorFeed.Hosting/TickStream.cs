using System.Collections.Concurrent;
using System.Threading.Channels;
using Akka.Actor;
using ActorFeed.Messages;

namespace ActorFeed.Hosting;

/// <summary>
/// Ticks of one subscription for code that does not use actors: enumerate it with <c>await foreach</c>.
/// Buffered in a bounded channel of <c>capacity</c> ticks; when the reader falls behind, <see cref="TickOverflow"/>
/// decides what is dropped and <see cref="Dropped"/> counts it. Dispose to unsubscribe (the last subscriber of a
/// code/type leaving sends REMOVE).
/// The enumeration ends by itself in two cases: cleanly when the feed stops (its actor terminates; pairs still
/// pending are then rejected with the reason "the feed stopped"), and with an <see cref="InvalidOperationException"/>
/// naming every reason when every pair was rejected (nothing could ever arrive).
/// <para>
/// Gaps: after an interruption (link lost, no data) each pair's first tick after it is preceded by a
/// <see cref="SubscriptionGap"/>; enumerate <see cref="Gaps"/> (a second bounded channel of <c>capacity</c> notices,
/// oldest dropped when full, ending with the ticks) to learn what was missed. A gap is written before the tick that
/// ends it; read from both streams concurrently if you need them in order.
/// </para>
/// </summary>
public sealed class TickStream : IAsyncEnumerable<Tick>, IAsyncDisposable
{
    /// <summary>The reason given to pairs still pending when the feed stops.</summary>
    public const string FeedStoppedReason = "the feed stopped";

    private readonly Channel<Tick> _channel;
    private readonly Channel<SubscriptionGap> _gaps;
    private readonly IActorRef _bridge;
    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<(string Code, string Type)> _pairs;
    private long _dropped;

    internal TickStream(ActorSystem system, IActorRef feed, IReadOnlyList<(string Code, string Type)> pairs, int capacity, TickOverflow overflow)
    {
        _channel = Channel.CreateBounded<Tick>(new BoundedChannelOptions(capacity)
        {
            FullMode = overflow == TickOverflow.DropOldest ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.DropWrite,
            SingleReader = true,
            SingleWriter = true,
        }, _ => Interlocked.Increment(ref _dropped));
        _gaps = Channel.CreateBounded<SubscriptionGap>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = false,
            SingleWriter = true,
        });
        _pairs = [.. pairs];
        if (_pairs.Count == 0) _settled.TrySetResult();
        _bridge = system.ActorOf(Props.Create(() => new Bridge(this, feed)));
        // batched: one message per received frame to the bridge instead of one per tick (docs/benchmarks.md)
        foreach (var (code, type) in _pairs) feed.Tell(new Subscribe(code, type, _bridge) { Batched = true });
    }

    /// <summary>Subscribes without DI: <paramref name="feed"/> is the FeedSupervisor (e.g. from <c>Feed.Start</c>).
    /// A code listed twice is subscribed once; a null code or type counts as empty (and is rejected unless valid).</summary>
    public static TickStream Subscribe(ActorSystem system, IActorRef feed, IEnumerable<string> codes, string type,
        int capacity = 1024, TickOverflow overflow = TickOverflow.DropOldest)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        // the feed answers with the code and type it was sent, null as empty: key the pairs the same way
        var pairs = codes.Select(c => (c ?? "", type ?? "")).Distinct().ToList();
        return new TickStream(system, feed, pairs, capacity, overflow);
    }

    /// <summary>Ticks dropped because the reader was too slow.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Code/type pairs the server confirmed.</summary>
    public ConcurrentDictionary<(string Code, string Type), bool> Confirmed { get; } = new();

    /// <summary>Pairs that were refused, with the reason (also <see cref="FeedStoppedReason"/> for pairs pending when the feed stopped).</summary>
    public ConcurrentDictionary<(string Code, string Type), string> Rejected { get; } = new();

    /// <summary>Completes once every requested pair (each once, however often listed) is either confirmed or rejected.</summary>
    public Task Settled => _settled.Task;

    /// <summary>Called on the bridge's thread only.</summary>
    private void Settle()
    {
        if (Confirmed.Count + Rejected.Count < _pairs.Count) return;
        _settled.TrySetResult();
        if (Rejected.Count == _pairs.Count && _pairs.Count > 0 && Confirmed.IsEmpty)
            CompleteWith(new InvalidOperationException(
                "Every subscription of the tick stream was rejected: " + string.Join("; ", Rejected.Select(r => $"{r.Key.Code}/{r.Key.Type}: {r.Value}"))));
    }

    private void CompleteWith(Exception error)
    {
        _gaps.Writer.TryComplete();
        _channel.Writer.TryComplete(error);
    }

    /// <summary>The feed stopped: nothing more will come. Called on the bridge's thread only.</summary>
    private void FeedStopped()
    {
        _channel.Writer.TryComplete();
        _gaps.Writer.TryComplete();
        foreach (var pair in _pairs)
            if (!Confirmed.ContainsKey(pair)) Rejected.TryAdd(pair, FeedStoppedReason);
        _settled.TrySetResult();
    }

    /// <summary>Enumerates the ticks as they arrive. The enumeration ends when the stream is disposed or the feed stops,
    /// and throws <see cref="InvalidOperationException"/> when every pair was rejected.</summary>
    public IAsyncEnumerator<Tick> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        _channel.Reader.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    /// <summary>
    /// The <see cref="SubscriptionGap"/> notices of the stream's pairs, as they arrive: one per pair and interruption,
    /// written right before the first tick after it. Ends when the tick stream ends (disposed, feed stopped, every pair
    /// rejected). Bounded like the ticks (<c>capacity</c>, the oldest notice dropped when the reader falls behind).
    /// </summary>
    public IAsyncEnumerable<SubscriptionGap> Gaps => _gaps.Reader.ReadAllAsync();

    /// <summary>Reads one tick (for callers that do not enumerate); throws <see cref="ChannelClosedException"/> once the stream has ended.</summary>
    public ValueTask<Tick> ReadAsync(CancellationToken cancellationToken = default) => _channel.Reader.ReadAsync(cancellationToken);

    /// <summary>Unsubscribes (stops the bridge actor, whose subscriptions the feed then removes) and completes the enumeration.</summary>
    public ValueTask DisposeAsync()
    {
        _bridge.Tell(PoisonPill.Instance);
        _channel.Writer.TryComplete();
        _gaps.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    private sealed class Bridge : ReceiveActor
    {
        private readonly TickStream _stream;

        public Bridge(TickStream stream, IActorRef feed)
        {
            _stream = stream;
            Receive<TickBatch>(b =>
            {
                foreach (var t in b.Ticks) stream._channel.Writer.TryWrite(t);
            });
            Receive<Tick>(t => stream._channel.Writer.TryWrite(t));
            Receive<SubscriptionGap>(g => stream._gaps.Writer.TryWrite(g));
            Receive<SubscriptionConfirmed>(c =>
            {
                if (!stream._pairs.Contains((c.Code, c.Type))) return;
                stream.Confirmed[(c.Code, c.Type)] = true;
                stream.Settle();
            });
            Receive<SubscriptionRejected>(r =>
            {
                if (!stream._pairs.Contains((r.Code, r.Type))) return;
                stream.Rejected[(r.Code, r.Type)] = r.Reason;
                stream.Settle();
            });
            Receive<SubscriptionRemoved>(_ => { });
            Receive<Terminated>(t => t.ActorRef.Equals(feed), _ =>
            {
                stream.FeedStopped();
                Context.Stop(Self);
            });
            Context.Watch(feed);
        }

        // Stopped without the Terminated of the feed (the actor system shut down first, or the stream was disposed):
        // no tick can come any more either, so the stream ends the same way.
        protected override void PostStop() => _stream.FeedStopped();
    }
}
