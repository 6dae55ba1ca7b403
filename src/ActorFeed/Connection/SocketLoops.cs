using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;
using Akka.Actor;
using ActorFeed.Diagnostics;
using ActorFeed.Kiwoom;
using ActorFeed.Subscriptions;
using ActorFeed.Transport;
using static ActorFeed.Connection.ConnectionActor;

namespace ActorFeed.Connection;

/// <summary>
/// The socket side of one <see cref="ConnectionActor"/>: a receive loop that is always pending (so ClientWebSocket's
/// pong timeout works) and a send loop that writes frames in order. The receive loop decodes every frame; REAL ticks
/// it delivers itself, straight from the socket's thread to the subscribers through each code's
/// <see cref="TickRoute"/> (the actor writes <see cref="Routes"/>, the loop reads it), and every other frame it hands
/// to the actor as <see cref="FrameReceived"/>: no actor hop on the tick path. The loops share nothing else with the
/// actor but two flags: "a frame arrived" for the idle watchdog and "a REAL arrived" for the data watchdog. Nothing a server sends can stop the receive loop but the
/// link itself: a frame the decoder cannot read, or any exception while decoding it, becomes a
/// <see cref="MalformedFrame"/> for the actor to count. <paramref name="limit"/> bounds what a slow subscriber has
/// queued (null: no limit); <paramref name="decode"/> replaces the decoder (tests). <paramref name="signals"/>, when
/// given, learns from every REAL entry before it is delivered (0s session pushes, KRX trades: see
/// <see cref="MarketSignals"/>), at <paramref name="time"/>'s now; a change of what it learned is told to the actor as
/// <see cref="MarketSignalChanged"/> for its log line.
/// </summary>
internal sealed class SocketLoops(
    KeyValuePair<string, object?> metricTag,
    PendingTickLimit? limit = null,
    Func<byte[], DateTimeOffset, KiwoomFrame>? decode = null,
    MarketSignals? signals = null,
    TimeProvider? time = null) : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly Channel<byte[]?> _outbox = Channel.CreateUnbounded<byte[]?>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<byte[], DateTimeOffset, KiwoomFrame> _decode = decode ?? new KiwoomDecoder().Decode;
    private readonly FrameBatches _batches = new(limit);
    private IFeedTransport? _transport;
    private int _frameSeen;
    private int _realSeen;

    /// <summary>Where the ticks of each code go ("" for the per-account types).</summary>
    public ConcurrentDictionary<string, TickRoute> Routes { get; } = new(StringComparer.Ordinal);

    public Task ConnectAsync(IFeedTransport transport, Uri url)
    {
        _transport = transport;
        return transport.ConnectAsync(url, _cts.Token);
    }

    /// <summary>Starts both loops; they report to <paramref name="actor"/>.</summary>
    public void Start(IActorRef actor)
    {
        var transport = _transport!;
        _ = Task.Run(() => ReceiveLoop(transport, actor, _cts.Token), CancellationToken.None);
        _ = Task.Run(() => SendLoop(transport, actor, _cts.Token), CancellationToken.None);
    }

    /// <summary>Queues one text frame for the send loop.</summary>
    public void Send(byte[] frame) => _outbox.Writer.TryWrite(frame);

    /// <summary>Queues a close (1000) after the frames already queued; the actor hears <see cref="CloseDone"/>.</summary>
    public void Close() => _outbox.Writer.TryWrite(null);

    /// <summary>True when a frame arrived since the last call (the idle watchdog's check).</summary>
    public bool TakeFrameSeen() => Interlocked.Exchange(ref _frameSeen, 0) == 1;

    /// <summary>True when a REAL frame with a market-data entry arrived since the last call (the data watchdog's
    /// check): an entry of a type of <see cref="RealTypes.IsMarketData"/>. A REAL holding only condition changes (02)
    /// or events (0s, 1h, the per-account 00 / 04), PINGs, replies, SYSTEM and every other frame never set it, so
    /// frequent condition pushes cannot hide a stopped market-data stream.</summary>
    public bool TakeRealSeen() => Interlocked.Exchange(ref _realSeen, 0) == 1;

    /// <summary>Stops both loops and drops the link at once.</summary>
    public void Dispose()
    {
        _cts.Cancel();
        _outbox.Writer.TryComplete();
        if (_transport is { } t)
        {
            t.Abort();
            _ = t.DisposeAsync().AsTask();
        }
    }

    private async Task ReceiveLoop(IFeedTransport transport, IActorRef actor, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var message = await transport.ReceiveAsync(ct).ConfigureAwait(false);
                if (message.IsClose)
                {
                    actor.Tell(new LinkClosed(message.CloseStatus!.Value, message.CloseDescription));
                    return;
                }
                var frame = Decode(message.Data);
                Volatile.Write(ref _frameSeen, 1);
                if (frame is RealFrame real)
                {
                    if (HoldsMarketData(real)) Volatile.Write(ref _realSeen, 1);
                    Deliver(real, actor);
                }
                else actor.Tell(new FrameReceived(frame, message.Data));
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            actor.Tell(new LinkFailed(e));
        }
        catch
        {
            // the actor stopped and cancelled the loop
        }
    }

    private static bool HoldsMarketData(RealFrame real)
    {
        foreach (var tick in real.Ticks)
            if (RealTypes.IsMarketData(tick.Type)) return true;
        return false;
    }

    /// <summary>The decoder never throws on bad input; should it throw anyway, the frame is malformed, the link lives on.</summary>
    private KiwoomFrame Decode(byte[] data)
    {
        try
        {
            return _decode(data, DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new MalformedFrame($"decoder failed: {e.GetType().Name}: {e.Message}");
        }
    }

    private void Deliver(RealFrame real, IActorRef actor)
    {
        FeedMetrics.Ticks.Add(real.Ticks.Count, metricTag);
        var now = Environment.TickCount64;
        try
        {
            DeliverEach(real, actor, now);
        }
        finally
        {
            _batches.SendAll();                                // one TickBatch per batched subscriber for the frame
        }
    }

    private void DeliverEach(RealFrame real, IActorRef actor, long now)
    {
        foreach (var tick in real.Ticks)
        {
            if (tick.Type == ConditionCodes.RealType)            // condition changes are routed by condition, through the actor
            {
                actor.Tell(new ConditionPushed(tick));
                continue;
            }
            // learned before delivery: the watchdog and the staleness check use it from the next question on
            if (signals is not null && signals.Concerns(tick) && signals.Observe(tick, (time ?? TimeProvider.System).GetUtcNow()) is { } change)
                actor.Tell(new MarketSignalChanged(change));
            var key = RealTypes.IsAccountType(tick.Type) ? "" : tick.Code;
            if (Routes.TryGetValue(key, out var route)) route.Deliver(tick, now, limit, _batches);    // else: not registered (any more), dropped
        }
    }

    private async Task SendLoop(IFeedTransport transport, IActorRef actor, CancellationToken ct)
    {
        try
        {
            await foreach (var data in _outbox.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (data is not null)
                {
                    await transport.SendAsync(data, ct).ConfigureAwait(false);
                    continue;
                }
                await transport.CloseAsync(WebSocketCloseStatus.NormalClosure, "client shutdown", ct).ConfigureAwait(false);
                actor.Tell(CloseDone.Instance);
                return;
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            actor.Tell(new LinkFailed(e));
        }
        catch
        {
            // the actor stopped and cancelled the loop
        }
    }
}
