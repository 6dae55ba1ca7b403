using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace ActorFeed.Simulator;

/// <summary>One client WebSocket: LOGIN, PING with a grace period, REG/REMOVE, a REAL tick pump, and faults.</summary>
internal sealed class SimSession
{
    private static readonly byte[] PingFrame = """{"trnm":"PING"}"""u8.ToArray();
    private readonly WebSocket _ws;
    private readonly KiwoomSimulator _sim;
    private readonly CancellationTokenSource _cts;
    /// <summary>A client this many frames behind gets no new ticks until it catches up (they are conflated away).</summary>
    private const int MaxBacklogFrames = 32;
    private readonly Channel<Outgoing> _outbox = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, double> _due = new(StringComparer.Ordinal);  // "code/type" -> ticks owed
    private readonly object _gate = new();
    private readonly TaskCompletionSource _silent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _isSilent;
    private int _backlog; // REAL frames queued and not yet written
    private long _lastEchoTicks = Environment.TickCount64;
    private bool _pingOutstanding;

    public SimSession(WebSocket ws, KiwoomSimulator sim, SessionRecord record, CancellationToken stopping)
    {
        _ws = ws;
        _sim = sim;
        Record = record;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    public SessionRecord Record { get; }
    public string? AppKey { get; private set; }
    public bool LoggedIn { get; private set; }
    public bool IsOpen => !_cts.IsCancellationRequested;

    public async Task RunAsync()
    {
        var writer = Task.Run(WriteLoop);
        var loginDeadline = Task.Delay(_sim.Options.LoginTimeout, _cts.Token).ContinueWith(_ =>
        {
            if (!LoggedIn && IsOpen) Close(WebSocketCloseStatus.PolicyViolation, "login timeout");
        }, TaskScheduler.Default);
        try
        {
            await ReadLoop().ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            Ended("connection lost: " + e.GetType().Name);
        }
        finally
        {
            _cts.Cancel();
            _outbox.Writer.TryComplete();
            try { await writer.ConfigureAwait(false); } catch { /* ended */ }
            _sim.Remove(this);
        }
    }

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

    private void Handle(ReadOnlySpan<byte> frame)
    {
        if (frame.SequenceEqual("PING"u8)) { Echoed(); return; }
        string? trnm;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(frame.ToArray());
            trnm = doc.RootElement.TryGetProperty("trnm", out var t) ? t.GetString() : null;
        }
        catch (JsonException)
        {
            return;
        }
        using (doc)
        {
            switch (trnm)
            {
                case "PING": Echoed(); break;
                case "LOGIN": Login(doc.RootElement); break;
                case "REG": Registration(doc.RootElement, register: true); break;
                case "REMOVE": Registration(doc.RootElement, register: false); break;
            }
        }
    }

    private void Echoed()
    {
        lock (_gate)
        {
            _pingOutstanding = false;
            _lastEchoTicks = Environment.TickCount64;
        }
        _sim.RecordChange(() => Record.PingsEchoed++);
    }

    private void Login(JsonElement root)
    {
        var token = root.TryGetProperty("token", out var t) ? t.GetString() : null;
        var appKey = _sim.ValidateToken(token);
        if (appKey is null || _sim.Faults.TakeLoginRejection())
        {
            _sim.Record.Login(false);
            Send("""{"trnm":"LOGIN","return_code":805004,"return_msg":"토큰 인증에 실패했습니다. 접속을 종료합니다 [CODE=8005, MESSAGE=Token이 유효하지 않습니다]"}"""u8.ToArray());
            CloseAfterSend(WebSocketCloseStatus.NormalClosure, "token invalid");
            return;
        }
        AppKey = appKey;
        LoggedIn = true;
        _sim.RecordChange(() =>
        {
            Record.AppKey = appKey;
            Record.LoggedInAt = DateTimeOffset.UtcNow;
        });
        _sim.Record.Login(true);
        Send("""{"trnm":"LOGIN","return_code":0,"return_msg":"","sor_yn":"Y"}"""u8.ToArray());
        _sim.KickOtherSessions(this);
        _ = Task.Run(PingLoop);
        _ = Task.Run(TickPump);
    }

    private void Registration(JsonElement root, bool register)
    {
        var trnm = register ? "REG" : "REMOVE";
        if (!LoggedIn)
        {
            Send(Reply(trnm, 1, "로그인이 필요합니다"));
            return;
        }
        var pairs = new List<string>();
        var refresh = !root.TryGetProperty("refresh", out var rf) || rf.GetString() != "0";
        var failure = (string?)null;
        if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var d in data.EnumerateArray())
            {
                var items = d.TryGetProperty("item", out var i) && i.ValueKind == JsonValueKind.Array ? i.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];
                var types = d.TryGetProperty("type", out var ty) && ty.ValueKind == JsonValueKind.Array ? ty.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];
                if (items.Count == 0 || types.Count == 0) failure = "item and type are required";
                foreach (var item in items)
                foreach (var type in types)
                    pairs.Add(item + "/" + type);
                if (register && items.Any(c => _sim.Faults.RejectRegCodes.ContainsKey(c))) failure = "등록 실패";
                if (register && items.Any(c => !ValidCode(c))) failure = "잘못된 종목코드";
            }
        }
        else failure = "data is required";
        if (register && pairs.Count > _sim.Options.MaxItemsPerReg) failure = $"too many items ({pairs.Count} > {_sim.Options.MaxItemsPerReg})";

        _sim.RecordChange(() =>
        {
            if (register)
            {
                Record.RegRequests.AddRange(pairs);
                if (failure is null)
                {
                    if (!refresh) Record.Registered.Clear();
                    foreach (var p in pairs)
                        if (!Record.Registered.Add(p)) Record.DuplicateRegistrations++;
                }
            }
            else
            {
                Record.RemoveRequests.AddRange(pairs);
                foreach (var p in pairs) Record.Registered.Remove(p);
            }
        });
        lock (_gate)
        {
            if (failure is null)
                foreach (var p in pairs)
                    if (register) _due.TryAdd(p, 0);
                    else _due.Remove(p);
        }
        Send(failure is null ? Reply(trnm, 0, "") : Reply(trnm, 1, failure));
    }

    private static bool ValidCode(string code) =>
        code.Length == 0 || (code.Length <= 9 && code.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c) || c == '_'));

    private static byte[] Reply(string trnm, int code, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("trnm", trnm);
            w.WriteNumber("return_code", code);
            w.WriteString("return_msg", message);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    // ------------------------------------------------------------ timers

    private async Task PingLoop()
    {
        using var timer = new PeriodicTimer(_sim.Options.PingInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_cts.Token).ConfigureAwait(false))
            {
                if (_isSilent) continue;
                bool overdue;
                lock (_gate)
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
                entries.Clear();
                lock (_gate)
                {
                    owedNow.Clear();
                    foreach (var key in _due.Keys.ToList())
                    {
                        var due = _due[key] + owed;
                        var whole = (int)due;
                        _due[key] = due - whole;
                        if (whole > 0) owedNow.Add((key, whole));
                    }
                }
                // Round-robin over the codes, so that a frame carries many codes, as an exchange's would.
                for (var round = 0; owedNow.Count > 0; round++)
                {
                    owedNow.RemoveAll(o => o.Count <= round);
                    foreach (var (key, _) in owedNow) entries.Add(key);
                }
                if (entries.Count == 0) continue;
                if (Volatile.Read(ref _backlog) > MaxBacklogFrames)
                {
                    // The client (or its socket) is behind: a real exchange conflates rather than queue without bound.
                    _sim.RecordChange(() => Record.TicksConflated += entries.Count);
                    continue;
                }
                // Frames are built by the write loop just before they go out, so the 9999 stamp is the send time.
                for (var start = 0; start < entries.Count; start += o.MaxEntriesPerFrame)
                {
                    Interlocked.Increment(ref _backlog);
                    Enqueue(new Outgoing(null, CollectionsMarshal.AsSpan(entries).Slice(start, Math.Min(o.MaxEntriesPerFrame, entries.Count - start)).ToArray()));
                }
                _sim.RecordChange(() => Record.TicksSent += entries.Count);
            }
        }
        catch (OperationCanceledException) { }
    }

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

    // ------------------------------------------------------------ writing and faults

    public void Send(byte[] frame) => Enqueue(new Outgoing(frame, null));

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
                if (item.RealKeys is not null) Interlocked.Decrement(ref _backlog);
                if (item.Data is { Length: 0 }) // close marker
                {
                    await CloseNow().ConfigureAwait(false);
                    return;
                }
                var delay = _sim.Faults.SendDelay;
                if (delay > TimeSpan.Zero) await Task.Delay(delay, _cts.Token).ConfigureAwait(false);
                if (_isSilent) continue;
                var frame = item.Data ?? RealFrame(item.RealKeys!);
                await _ws.SendAsync(frame, WebSocketMessageType.Text, true, _cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    private WebSocketCloseStatus _closeStatus;
    private string _closeDescription = "";

    /// <summary>Closes after the frames already queued have gone out.</summary>
    public void CloseAfterSend(WebSocketCloseStatus status, string description)
    {
        _closeStatus = status;
        _closeDescription = description;
        _outbox.Writer.TryWrite(new Outgoing([], null));
    }

    /// <summary>Closes with a close frame, after the frames already queued (the socket allows one sender at a time).</summary>
    public void Close(WebSocketCloseStatus status, string description) => CloseAfterSend(status, description);

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
        _silent.TrySetResult();
        _sim.RecordChange(() => Record.CloseReason ??= "silenced");
    }

    private void Ended(string reason) => _sim.RecordChange(() =>
    {
        Record.ClosedAt ??= DateTimeOffset.UtcNow;
        Record.ClosedAtMicros ??= SimClock.NowMicros();
        if (Record.CloseReason is null or "silenced") Record.CloseReason = reason;
    });

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>A frame to send, or the "code/type" keys of a REAL frame to build at send time.</summary>
    private readonly record struct Outgoing(byte[]? Data, string[]? RealKeys);
}
