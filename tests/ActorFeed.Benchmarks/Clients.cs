using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ActorFeed.Simulator;
using Websocket.Client;

namespace ActorFeed.Benchmarks;

/// <summary>What every client under test reports: ticks per code (last seen) and latency samples.</summary>
public sealed class TickSink
{
    private readonly object _gate = new();
    private readonly Dictionary<string, long> _lastSeen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lastStamp = new(StringComparer.Ordinal);
    private readonly List<long> _latencyMicros = new(1 << 20);
    private long _count;
    public bool Sample { get; set; }
    private static readonly bool Trace = Environment.GetEnvironmentVariable("BENCH_TRACE") == "1";
    private readonly List<(long At, long Latency)> _trace = [];

    /// <summary>With BENCH_TRACE=1: the worst latency per 250 ms of the window, to find stalls.</summary>
    public string TraceSummary()
    {
        lock (_gate)
        {
            if (_trace.Count == 0) return "";
            var t0 = _trace[0].At;
            return string.Join(" ", _trace.GroupBy(x => (x.At - t0) / 250_000).Select(g => $"{g.Key * 250}ms:{g.Max(x => x.Latency) / 1000.0:N1}/{g.Count()}"));
        }
    }

    public long Count => Interlocked.Read(ref _count);

    public int CodesSeen { get { lock (_gate) return _lastSeen.Count; } }

    public void Record(string code, long stampMicros)
    {
        Interlocked.Increment(ref _count);
        if (!Sample && stampMicros == 0) { lock (_gate) _lastSeen[code] = Environment.TickCount64; return; }
        var now = SimClock.NowMicros();
        lock (_gate)
        {
            _lastSeen[code] = Environment.TickCount64;
            if (stampMicros > 0) _lastStamp[code] = stampMicros;
            if (Sample && stampMicros > 0)
            {
                _latencyMicros.Add(now - stampMicros);
                if (Trace) _trace.Add((now, now - stampMicros));
            }
        }
    }

    /// <summary>Every code has a tick the simulator stamped after <paramref name="micros"/> (SimClock).</summary>
    public bool AllStampedAfter(IEnumerable<string> codes, long micros)
    {
        lock (_gate) return codes.All(c => _lastStamp.TryGetValue(c, out var t) && t > micros);
    }

    public bool AllTickedSince(IEnumerable<string> codes, long sinceTickCount)
    {
        lock (_gate) return codes.All(c => _lastSeen.TryGetValue(c, out var t) && t > sinceTickCount);
    }

    public (double P50, double P99, double Max, int N) Latency()
    {
        lock (_gate) return Percentiles(_latencyMicros);
    }

    private static (double P50, double P99, double Max, int N) Percentiles(List<long> micros)
    {
        if (micros.Count == 0) return (double.NaN, double.NaN, double.NaN, 0);
        var a = micros.ToArray();
        Array.Sort(a);
        return (a[a.Length / 2] / 1000.0, a[(int)(a.Length * 0.99)] / 1000.0, a[^1] / 1000.0, a.Length);
    }

    public void ResetLatency() { lock (_gate) { _latencyMicros.Clear(); _insideMicros.Clear(); } }

    private readonly List<long> _insideMicros = new(1 << 20);

    /// <summary>ActorFeed only: time from the frame's arrival (Tick.ReceivedAt) to the subscriber.</summary>
    public void RecordInside(DateTimeOffset receivedAt)
    {
        if (!Sample) return;
        var micros = (DateTimeOffset.UtcNow - receivedAt).Ticks / 10;
        lock (_gate) _insideMicros.Add(micros);
    }

    public (double P50, double P99, double Max, int N) Inside()
    {
        lock (_gate) return Percentiles(_insideMicros);
    }
}

internal static class Wire
{
    public static async Task<string> TokenAsync(Uri rest)
    {
        using var http = new HttpClient();
        var r = await http.PostAsync(new Uri(rest, "oauth2/token"), new StringContent("""{"grant_type":"client_credentials","appkey":"bench-app-key-0001","secretkey":"bench-secret-key-0001"}""", Encoding.UTF8, "application/json"));
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("token").GetString()!;
    }

    public static IEnumerable<byte[]> Regs(IReadOnlyList<string> codes) =>
        KiwoomEncoder.Batches(codes.Select(c => new RegistrationItem(c, "0B")), 100).Select(b => KiwoomEncoder.Registration(RegistrationKind.Register, "1", "0B", b));

    /// <summary>Counts REAL entries with Utf8JsonReader: item and the 9999 stamp.</summary>
    public static void CountReal(ReadOnlySpan<byte> frame, TickSink sink)
    {
        var reader = new Utf8JsonReader(frame);
        string? item = null;
        long stamp = 0;
        var depth = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject: depth++; break;
                case JsonTokenType.EndObject:
                    if (depth == 2 && item is not null) { sink.Record(item, stamp); item = null; stamp = 0; }
                    depth--;
                    break;
                case JsonTokenType.PropertyName when depth == 2 && reader.ValueTextEquals("item"u8):
                    reader.Read(); item = reader.GetString(); break;
                case JsonTokenType.PropertyName when depth == 3 && reader.ValueTextEquals("9999"u8):
                    reader.Read(); stamp = long.Parse(reader.ValueSpan); break;
            }
        }
    }
}

/// <summary>The physical limit: a bare ClientWebSocket receive loop decoding REAL frames with Utf8JsonReader.</summary>
public sealed class RawClient(Uri ws, Uri rest, IReadOnlyList<string> codes, TickSink sink) : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private Task? _loop;

    public Task StartAsync() { _loop = Task.Run(Run); return Task.CompletedTask; }

    private async Task Run()
    {
        var buffer = new byte[1 << 20];
        while (!_cts.IsCancellationRequested)
        {
            try
            {
                using var socket = new ClientWebSocket();
                await socket.ConnectAsync(ws, _cts.Token);
                var token = await Wire.TokenAsync(rest);
                await socket.SendAsync(KiwoomEncoder.Login(token), WebSocketMessageType.Text, true, _cts.Token);
                var regs = new Queue<byte[]>(Wire.Regs(codes));
                var loggedIn = false;
                while (true)
                {
                    var n = 0;
                    ValueWebSocketReceiveResult r;
                    do { r = await socket.ReceiveAsync(buffer.AsMemory(n), _cts.Token); n += r.Count; } while (!r.EndOfMessage);
                    if (r.MessageType == WebSocketMessageType.Close) break;
                    var frame = buffer.AsSpan(0, n);
                    if (frame.IndexOf("\"REAL\""u8) > 0) { Wire.CountReal(frame, sink); continue; }
                    if (frame.IndexOf("\"PING\""u8) > 0) { await socket.SendAsync(buffer.AsMemory(0, n), WebSocketMessageType.Text, true, _cts.Token); continue; }
                    if (!loggedIn || frame.IndexOf("\"REG\""u8) > 0)
                    {
                        loggedIn = true;
                        if (regs.TryDequeue(out var reg)) await socket.SendAsync(reg, WebSocketMessageType.Text, true, _cts.Token);
                    }
                }
            }
            catch when (!_cts.IsCancellationRequested) { }
            catch { return; }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        if (_loop is not null) await _loop;
    }
}

/// <summary>The peer: Websocket.Client with System.Text.Json and the resubscribe-on-ReconnectionHappened pattern.</summary>
public sealed class PeerClient(Uri ws, Uri rest, IReadOnlyList<string> codes, TickSink sink) : IAsyncDisposable
{
    private WebsocketClient? _client;
    private readonly Queue<byte[]> _regs = new();
    private readonly object _gate = new();

    public async Task StartAsync()
    {
        _client = new WebsocketClient(ws)
        {
            ReconnectTimeout = null,
            ErrorReconnectTimeout = TimeSpan.FromMilliseconds(100),
            LostReconnectTimeout = TimeSpan.FromMilliseconds(100),
            IsReconnectionEnabled = true,
        };
        _client.ReconnectionHappened.Subscribe(_ =>
        {
            var token = Wire.TokenAsync(rest).GetAwaiter().GetResult();
            lock (_gate)
            {
                _regs.Clear();
                foreach (var r in Wire.Regs(codes)) _regs.Enqueue(r);
            }
            _client.Send(Encoding.UTF8.GetString(KiwoomEncoder.Login(token)));
        });
        _client.MessageReceived.Subscribe(msg =>
        {
            var text = msg.Text;
            if (text is null) return;
            var m = JsonSerializer.Deserialize<Message>(text);
            switch (m?.trnm)
            {
                case "REAL":
                    foreach (var e in m.data!) sink.Record(e.item!, e.values is { } v && v.TryGetValue("9999", out var s) ? long.Parse(s) : 0);
                    break;
                case "PING": _client.Send(text); break;
                case "LOGIN":
                case "REG":
                    byte[]? next;
                    lock (_gate) _regs.TryDequeue(out next);
                    if (next is not null) _client.Send(Encoding.UTF8.GetString(next));
                    break;
            }
        });
        await _client.Start();
    }

    public ValueTask DisposeAsync()
    {
        _client?.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Message
    {
        public string? trnm { get; set; }
        public List<Entry>? data { get; set; }
    }

    private sealed class Entry
    {
        public string? type { get; set; }
        public string? item { get; set; }
        public Dictionary<string, string>? values { get; set; }
    }
}
