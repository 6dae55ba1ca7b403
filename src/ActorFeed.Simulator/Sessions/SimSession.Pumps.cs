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

    private readonly TickSchedule _ticks = new();
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
        var last = Environment.TickCount64;
        var entries = new List<string>();
        var owedNow = new List<(string Key, int Count)>();
        try
        {
            while (await timer.WaitForNextTickAsync(_cts.Token).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                var owed = (now - last) / 1000.0 * o.TicksPerSecondPerItem;
                last = now;
                if (_isSilent) continue;
                _ticks.Take(owed, owedNow, entries);
                if (entries.Count == 0) continue;
                if (Volatile.Read(ref _backlog) > MaxBacklogFrames)
                {
                    // The client (or its socket) is behind: a real exchange conflates rather than queue without bound.
                    _sim.RecordChange(() => Record.TicksConflated += entries.Count);
                    continue;
                }
                // Frames are built by the write loop just before they go out, so the 9999 stamp is the send time.
                for (var start = 0; start < entries.Count; start += o.MaxEntriesPerFrame)
                    EnqueueReal(CollectionsMarshal.AsSpan(entries).Slice(start, Math.Min(o.MaxEntriesPerFrame, entries.Count - start)).ToArray());
                _sim.RecordChange(() => Record.TicksSent += entries.Count);
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>A REAL frame with one entry per "code/type" key, from the market model (called as the frame is sent).</summary>
    private byte[] RealFrame(string[] keys)
    {
        var buffer = new ArrayBufferWriter<byte>(256 * keys.Length);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("trnm", "REAL");
            w.WriteStartArray("data");
            for (var i = 0; i < keys.Length; i++)
            {
                var slash = keys[i].IndexOf('/');
                _sim.Market.WriteEntry(w, keys[i][..slash], keys[i][(slash + 1)..], _sim.Options.StampSendTime);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
