using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace ActorFeed.IntegrationTests.Support;

/// <summary>
/// A bare Kiwoom client for specs of the simulator alone: token, WebSocket, LOGIN, PING echo, REG, any JSON request
/// (<see cref="RequestAsync"/>, condition search), and everything it received in order (<see cref="Frames"/>, the 0B
/// trades in <see cref="Trades"/>, the type 02 condition changes in <see cref="ConditionChanges"/>). Wait with <see cref="WaitUntilAsync"/>
/// (woken by every frame, no polling).
/// </summary>
public sealed class RawKiwoomClient : IAsyncDisposable
{
    private readonly ClientWebSocket _ws = new();
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly object _gate = new();
    private readonly List<RawFrame> _frames = [];
    private readonly List<RawTrade> _trades = [];
    private readonly List<RawConditionChange> _conditionChanges = [];
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _receiving = Task.CompletedTask;

    private RawKiwoomClient() { }

    /// <summary>True once the server closed the socket (or it failed).</summary>
    public bool Closed { get; private set; }

    /// <summary>Gets a token for <paramref name="appKey"/>, connects and logs in (sessions of one app key kick each other: use one key per client).</summary>
    public static async Task<RawKiwoomClient> ConnectAsync(Uri restBaseUrl, Uri webSocketUrl, string appKey, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = restBaseUrl, Timeout = timeout };
        using var response = await http.PostAsJsonAsync("oauth2/token", new { grant_type = "client_credentials", appkey = appKey, secretkey = appKey + "-secret" });
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        var client = new RawKiwoomClient();
        using var cts = new CancellationTokenSource(timeout);
        await client._ws.ConnectAsync(webSocketUrl, cts.Token);
        client._receiving = Task.Run(client.ReceiveLoop);
        await client.SendAsync(JsonSerializer.Serialize(new { trnm = "LOGIN", token }));
        await client.WaitUntilAsync(c => c.Frames.Any(f => f.Trnm == "LOGIN"), timeout, "LOGIN reply");
        Assert.Equal(0, client.Frames.First(f => f.Trnm == "LOGIN").ReturnCode);
        return client;
    }

    /// <summary>Every frame received, in order.</summary>
    public IReadOnlyList<RawFrame> Frames
    {
        get { lock (_gate) return [.. _frames]; }
    }

    /// <summary>Every 0B entry received, in order.</summary>
    public IReadOnlyList<RawTrade> Trades
    {
        get { lock (_gate) return [.. _trades]; }
    }

    /// <summary>The 0B trades of one code received, in order.</summary>
    public IReadOnlyList<RawTrade> TradesOf(string code) => Trades.Where(t => t.Code == code).ToList();

    /// <summary>Sends REG (refresh 1, grp_no 1) for these codes, type 0B, and waits for its reply (which must be return_code 0).</summary>
    public async Task RegisterAsync(IEnumerable<string> codes, TimeSpan timeout)
    {
        var replies = Frames.Count(f => f.Trnm == "REG");
        await SendAsync(JsonSerializer.Serialize(new { trnm = "REG", grp_no = "1", refresh = "1", data = new[] { new { item = codes.ToArray(), type = new[] { "0B" } } } }));
        await WaitUntilAsync(c => c.Frames.Count(f => f.Trnm == "REG") > replies, timeout, "REG reply");
        Assert.Equal(0, Frames.Last(f => f.Trnm == "REG").ReturnCode);
    }

    /// <summary>Sends <paramref name="message"/> as a JSON frame (e.g. <c>new { trnm = "CNSRLST" }</c>).</summary>
    public Task SendJsonAsync(object message) => SendAsync(JsonSerializer.Serialize(message));

    /// <summary>
    /// Sends <paramref name="message"/> and waits for the next frame of trnm <paramref name="trnm"/> after it (condition
    /// search replies: CNSRLST, CNSRREQ, CNSRCLR); returns it parsed.
    /// </summary>
    public async Task<JsonElement> RequestAsync(string trnm, object message, TimeSpan timeout)
    {
        var before = Frames.Count(f => f.Trnm == trnm);
        await SendJsonAsync(message);
        await WaitUntilAsync(c => c.Frames.Count(f => f.Trnm == trnm) > before, timeout, trnm + " reply");
        using var doc = JsonDocument.Parse(Frames.Where(f => f.Trnm == trnm).ElementAt(before).Text);
        return doc.RootElement.Clone();
    }

    /// <summary>Every REAL type 02 entry (condition change) received, in order.</summary>
    public IReadOnlyList<RawConditionChange> ConditionChanges
    {
        get { lock (_gate) return [.. _conditionChanges]; }
    }

    /// <summary>Sends a close frame and waits until the server's close arrives: every frame the server wrote before it has been received.</summary>
    public async Task CloseAsync()
    {
        await _sendGate.WaitAsync();
        try { await _ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", _stop.Token); }
        finally { _sendGate.Release(); }
        await _receiving;
    }

    /// <summary>Completes when <paramref name="condition"/> holds (checked after every frame); throws TimeoutException after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<RawKiwoomClient, bool> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate) changed = _changed.Task;
            if (condition(this)) return;
            try { await changed.WaitAsync(cts.Token); }
            catch (OperationCanceledException) { throw new TimeoutException($"raw client: not reached within {timeout}: {what}"); }
        }
    }

    private Task SendAsync(string json) => SendAsync(Encoding.UTF8.GetBytes(json));

    private async Task SendAsync(byte[] frame)
    {
        await _sendGate.WaitAsync();
        try { await _ws.SendAsync(frame, WebSocketMessageType.Text, true, _stop.Token); }
        finally { _sendGate.Release(); }
    }

    private async Task ReceiveLoop()
    {
        var buffer = new byte[256 * 1024];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult r;
                do
                {
                    if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                    r = await _ws.ReceiveAsync(buffer.AsMemory(length), _stop.Token);
                    length += r.Count;
                } while (!r.EndOfMessage);
                if (r.MessageType == WebSocketMessageType.Close) break;
                var frame = buffer.AsSpan(0, length).ToArray();
                using var doc = JsonDocument.Parse(frame);
                var root = doc.RootElement;
                var trnm = root.TryGetProperty("trnm", out var t) ? t.GetString() ?? "" : "";
                if (trnm == "PING") await SendAsync(frame);
                var returnCode = root.TryGetProperty("return_code", out var rc) && rc.ValueKind == JsonValueKind.Number ? rc.GetInt32() : (int?)null;
                var trades = new List<RawTrade>();
                var conditionChanges = new List<RawConditionChange>();
                if (trnm == "REAL")
                    foreach (var e in root.GetProperty("data").EnumerateArray())
                    {
                        if (e.GetProperty("type").GetString() == "02")
                        {
                            var cv = e.GetProperty("values");
                            conditionChanges.Add(new RawConditionChange(cv.GetProperty("841").GetString()!, cv.GetProperty("9001").GetString()!,
                                cv.GetProperty("843").GetString() == "I", cv.GetProperty("20").GetString()!, e.GetProperty("item").GetString()!));
                        }
                        if (e.GetProperty("type").GetString() != "0B") continue;
                        var v = e.GetProperty("values");
                        trades.Add(new RawTrade(e.GetProperty("item").GetString()!, Long(v, "13"), Long(v, "15"), Long(v, "10")));
                    }
                Changed(() =>
                {
                    _frames.Add(new RawFrame(trnm, returnCode, Encoding.UTF8.GetString(frame)));
                    _trades.AddRange(trades);
                    _conditionChanges.AddRange(conditionChanges);
                });
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        finally
        {
            Changed(() => Closed = true);
        }
    }

    private static long Long(JsonElement values, string fid) => long.Parse(values.GetProperty(fid).GetString()!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private void Changed(Action change)
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            change();
            done = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        done.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _ws.Abort();
        try { await _receiving; } catch { /* ended */ }
        _ws.Dispose();
        _stop.Dispose();
    }
}

/// <summary>One frame as received: its trnm, its return_code if it had one, and its text.</summary>
public sealed record RawFrame(string Trnm, int? ReturnCode, string Text);

/// <summary>One REAL type 02 entry: FID 841 (condition seq), 9001 (code with prefix), 843 (I: true, D: false), 20 (time), and the entry's item.</summary>
public sealed record RawConditionChange(string Seq, string Code, bool Entered, string Time, string Item);

/// <summary>One 0B entry: FID 13 (cumulative volume), FID 15 (signed trade volume), FID 10 (signed price).</summary>
public sealed record RawTrade(string Code, long CumulativeVolume, long Volume, long Price);
