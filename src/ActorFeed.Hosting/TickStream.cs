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
/// </summary>
public sealed class TickStream : IAsyncEnumerable<Tick>, IAsyncDisposable
{
    private readonly Channel<Tick> _channel;
    private readonly IActorRef _bridge;
    private readonly TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _pairs;
    private long _dropped;

    internal TickStream(ActorSystem system, IActorRef feed, IReadOnlyList<(string Code, string Type)> pairs, int capacity, TickOverflow overflow)
    {
        _channel = Channel.CreateBounded<Tick>(new BoundedChannelOptions(capacity)
        {
            FullMode = overflow == TickOverflow.DropOldest ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.DropWrite,
            SingleReader = true,
            SingleWriter = true,
        }, _ => Interlocked.Increment(ref _dropped));
        _pairs = pairs.Count;
        if (_pairs == 0) _settled.TrySetResult();
        _bridge = system.ActorOf(Props.Create(() => new Bridge(this)));
        foreach (var (code, type) in pairs) feed.Tell(new Subscribe(code, type, _bridge));
    }

    /// <summary>Subscribes without DI: <paramref name="feed"/> is the FeedSupervisor (e.g. from <c>Feed.Start</c>).</summary>
    public static TickStream Subscribe(ActorSystem system, IActorRef feed, IEnumerable<string> codes, string type,
        int capacity = 1024, TickOverflow overflow = TickOverflow.DropOldest)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return new TickStream(system, feed, codes.Select(c => (c, type)).ToList(), capacity, overflow);
    }

    /// <summary>Ticks dropped because the reader was too slow.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Code/type pairs the server confirmed.</summary>
    public ConcurrentDictionary<(string Code, string Type), bool> Confirmed { get; } = new();

    /// <summary>Pairs that were refused, with the reason.</summary>
    public ConcurrentDictionary<(string Code, string Type), string> Rejected { get; } = new();

    /// <summary>Completes once every requested pair is either confirmed or rejected.</summary>
    public Task Settled => _settled.Task;

    private void Settle()
    {
        if (Confirmed.Count + Rejected.Count >= _pairs) _settled.TrySetResult();
    }

    /// <summary>Enumerates the ticks as they arrive; the enumeration ends when the stream is disposed.</summary>
    public IAsyncEnumerator<Tick> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        _channel.Reader.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    /// <summary>Reads one tick (for callers that do not enumerate).</summary>
    public ValueTask<Tick> ReadAsync(CancellationToken cancellationToken = default) => _channel.Reader.ReadAsync(cancellationToken);

    /// <summary>Unsubscribes (stops the bridge actor, whose subscriptions the feed then removes) and completes the enumeration.</summary>
    public ValueTask DisposeAsync()
    {
        _bridge.Tell(PoisonPill.Instance);
        _channel.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    private sealed class Bridge : ReceiveActor
    {
        public Bridge(TickStream stream)
        {
            Receive<Tick>(t => stream._channel.Writer.TryWrite(t));
            Receive<SubscriptionConfirmed>(c => { stream.Confirmed[(c.Code, c.Type)] = true; stream.Settle(); });
            Receive<SubscriptionRejected>(r => { stream.Rejected[(r.Code, r.Type)] = r.Reason; stream.Settle(); });
            Receive<SubscriptionRemoved>(_ => { });
        }
    }
}
