using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace ActorFeed.Simulator.Sessions;

/// <summary>What the server sends unasked, once logged in: a PING every interval (closing a client that does not echo
/// within the grace period), and REAL ticks for what is registered.</summary>
internal sealed partial class SimSession
{
    private static readonly byte[] PingFrame = """{"trnm":"PING"}"""u8.ToArray();

    /// <summary>A client this many frames behind gets no new ticks until it catches up (they are conflated away).</summary>
    private const int MaxBacklogFrames = 32;

    private readonly TickSchedule _ticks;
    private readonly object _pingGate = new();
    private long _lastEchoTicks = Environment.TickCount64;
    private bool _pingOutstanding;

    private void StartPumps()
    {
        _ = Task.Run(PingLoop);
        _ = Task.Run(TickPump);
    }

    /// <summary>The client echoed a PING.</summary>
    private void Echoed()
    {
        lock (_pingGate)
        {
            _pingOutstanding = false;
            _lastEchoTicks = Environment.TickCount64;
        }
        _sim.RecordChange(() => Record.PingsEchoed++);
    }

    private async Task PingLoop()
    {
        using var timer = new PeriodicTimer(_sim.Options.PingInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_cts.Token).ConfigureAwait(false))
            {
                if (_isSilent) continue;
                bool overdue;
                lock (_pingGate)
                {
                    overdue = _pingOutstanding && Environment.TickCount64 - _lastEchoTicks > _sim.Options.PingGrace.TotalMilliseconds;
                    if (!_pingOutstanding) _lastEchoTicks = Environment.TickCount64;
                    _pingOutstanding = true;
                }
                if (overdue)
                {
                    Close(WebSocketCloseStatus.PolicyViolation, "PING not echoed");
                    return;
                }
                Send(PingFrame);
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task TickPump()
    {
        var o = _sim.Options;
        using var timer = new PeriodicTimer(o.FrameInterval);
        var entries = new List<RealEntry>();
        try
        {
            while (await timer.WaitForNextTickAsync(_cts.Token).ConfigureAwait(false))
            {
                // Closed: the market's clock stands still, so nothing is owed when it opens again.
                if (_isSilent || _sim.Faults.MarketClosed) continue;
                if (Volatile.Read(ref _backlog) > MaxBacklogFrames)
                {
                    // The client (or its socket) is behind: a real exchange conflates rather than queue without bound.
                    var skipped = _ticks.Skip();
                    if (skipped > 0) _sim.RecordChange(() => Record.TicksConflated += skipped);
                    continue;
                }
                var lost = _ticks.Take(entries);
                if (entries.Count == 0 && lost == 0) continue;
                // Frames are built by the write loop just before they go out, so the 9999 stamp is the send time.
                for (var start = 0; start < entries.Count; start += o.MaxEntriesPerFrame)
                    EnqueueReal(CollectionsMarshal.AsSpan(entries).Slice(start, Math.Min(o.MaxEntriesPerFrame, entries.Count - start)).ToArray());
                var sent = entries.Count;
                _sim.RecordChange(() =>
                {
                    Record.TicksSent += sent;
                    Record.TicksConflated += lost;
                });
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>A REAL frame with these entries, written from the market's tapes (called as the frame is sent).</summary>
    private byte[] RealFrame(RealEntry[] entries)
    {
        var buffer = new ArrayBufferWriter<byte>(256 * entries.Length);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("trnm", "REAL");
            w.WriteStartArray("data");
            for (var i = 0; i < entries.Length; i++) MarketModel.WriteEntry(w, entries[i], _sim.Options.StampSendTime);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
