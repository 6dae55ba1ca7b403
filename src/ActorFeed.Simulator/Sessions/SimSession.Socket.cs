using System.Net.WebSockets;
using System.Threading.Channels;

namespace ActorFeed.Simulator.Sessions;

/// <summary>
/// Socket plumbing: the read loop hands whole frames to <see cref="Handle"/>; everything sent goes through one outbox
/// drained by one writer (the socket allows one sender at a time), including the close; abort and silence.
/// </summary>
internal sealed partial class SimSession
{
    private readonly Channel<Outgoing> _outbox = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private volatile bool _isSilent;
    private int _backlog; // REAL frames queued and not yet written
    private WebSocketCloseStatus _closeStatus;
    private string _closeDescription = "";

    // ------------------------------------------------------------ reading

    private async Task ReadLoop()
    {
        var buffer = new byte[64 * 1024];
        while (IsOpen)
        {
            if (_isSilent)
            {
                await Task.WhenAny(Task.Delay(Timeout.Infinite, _cts.Token)).ConfigureAwait(false);
                return;
            }
            var length = 0;
            ValueWebSocketReceiveResult r;
            do
            {
                if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                r = await _ws.ReceiveAsync(buffer.AsMemory(length), _cts.Token).ConfigureAwait(false);
                length += r.Count;
            } while (!r.EndOfMessage && r.MessageType != WebSocketMessageType.Close);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                Ended($"client closed {(int?)_ws.CloseStatus}");
                if (_ws.State == WebSocketState.CloseReceived)
                    await _ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).ConfigureAwait(false);
                return;
            }
            if (_isSilent) continue;
            Handle(buffer.AsSpan(0, length));
        }
    }

    // ------------------------------------------------------------ writing

    /// <summary>Queues a frame (dropped once the session is silent).</summary>
    public void Send(byte[] frame) => Enqueue(new Outgoing(frame, null));

    /// <summary>Queues a REAL frame of these entries, built when it is written.</summary>
    private void EnqueueReal(RealEntry[] entries)
    {
        Interlocked.Increment(ref _backlog);
        Enqueue(new Outgoing(null, entries));
    }

    private void Enqueue(Outgoing item)
    {
        if (!_isSilent) _outbox.Writer.TryWrite(item);
    }

    private async Task WriteLoop()
    {
        try
        {
            await foreach (var item in _outbox.Reader.ReadAllAsync(_cts.Token).ConfigureAwait(false))
            {
                if (item.Real is not null) Interlocked.Decrement(ref _backlog);
                if (item.Data is { Length: 0 }) // close marker
                {
                    await CloseNow().ConfigureAwait(false);
                    return;
                }
                var delay = _sim.Faults.SendDelay;
                if (delay > TimeSpan.Zero) await Task.Delay(delay, _cts.Token).ConfigureAwait(false);
                if (_isSilent) continue;
                var frame = item.Data ?? RealFrame(item.Real!);
                await _ws.SendAsync(frame, WebSocketMessageType.Text, true, _cts.Token).ConfigureAwait(false);
                if (item.Real is not null) _sim.Record.TradesWritten(Record, item.Real);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    // ------------------------------------------------------------ ending and faults

    /// <summary>Closes with a close frame, after the frames already queued have gone out.</summary>
    public void Close(WebSocketCloseStatus status, string description)
    {
        _closeStatus = status;
        _closeDescription = description;
        _outbox.Writer.TryWrite(new Outgoing([], null));
    }

    private async Task CloseNow()
    {
        Ended($"server closed {(int)_closeStatus} {_closeDescription}");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _ws.CloseOutputAsync(_closeStatus, _closeDescription, timeout.Token).ConfigureAwait(false);
        }
        catch { /* already gone */ }
        // Keep reading until the client answers the close: ending the request at once would reset the TCP
        // connection, and a reset makes the client's kernel discard what it has not read yet (our close frame too).
        _cts.CancelAfter(TimeSpan.FromSeconds(2));
    }

    /// <summary>Drops the TCP connection without a close frame.</summary>
    public void Abort()
    {
        Ended("server aborted");
        _ws.Abort();
        _cts.Cancel();
    }

    /// <summary>Stops reading and writing; the TCP connection stays open.</summary>
    public void GoSilent()
    {
        _isSilent = true;
        _sim.RecordChange(() => Record.CloseReason ??= "silenced");
    }

    /// <summary>A frame to send, or the entries of a REAL frame to build at send time.</summary>
    private readonly record struct Outgoing(byte[]? Data, RealEntry[]? Real);
}
