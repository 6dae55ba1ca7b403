using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using ActorFeed.Simulator.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorFeed.Simulator;

/// <summary>
/// A Kiwoom-compatible exchange on Kestrel: <c>/oauth2/token</c>, <c>/oauth2/revoke</c>, the real-time
/// WebSocket at <c>/api/dostk/websocket</c>, and fault switches in-process (<see cref="Faults"/>, the methods
/// below) and over HTTP (<c>/sim/...</c>, see README). What it saw is in <see cref="Record"/>.
/// </summary>
public sealed class KiwoomSimulator : IAsyncDisposable
{
    private static readonly TimeSpan Kst = TimeSpan.FromHours(9);
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<SimSession, bool> _sessions = new();
    private readonly ConcurrentDictionary<string, TokenInfo> _tokens = new(StringComparer.Ordinal);
    private readonly object _tokenGate = new();

    private KiwoomSimulator(WebApplication app, SimulatorOptions options)
    {
        _app = app;
        Options = options;
        Market = new MarketModel(options, Faults);
        Conditions = new ConditionBook(this);
    }

    /// <summary>How the exchange behaves; most values can be changed while it runs.</summary>
    public SimulatorOptions Options { get; }
    /// <summary>The fault switches (also reachable over HTTP under <c>/sim/</c>).</summary>
    public SimulatorFaults Faults { get; } = new();
    /// <summary>What the exchange saw: sessions, logins, registrations, token requests.</summary>
    public SimulatorRecord Record { get; } = new();
    internal MarketModel Market { get; }
    internal ConditionBook Conditions { get; }

    /// <summary>Base URL of the REST endpoints, e.g. http://127.0.0.1:41234/.</summary>
    public Uri RestBaseUrl { get; private set; } = null!;

    /// <summary>The real-time WebSocket URL, e.g. ws://127.0.0.1:41234/api/dostk/websocket.</summary>
    public Uri WebSocketUrl { get; private set; } = null!;

    /// <summary>Starts on 127.0.0.1, on <paramref name="port"/> (0: the OS picks a free one).</summary>
    public static async Task<KiwoomSimulator> StartAsync(SimulatorOptions? options = null, int port = 0, ILoggerProvider? logger = null, CancellationToken cancellationToken = default)
    {
        options ??= new SimulatorOptions();
        ConditionBook.Validate(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logger is not null) builder.Logging.AddProvider(logger);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        // The default ConsoleLifetime would take SIGINT / SIGTERM / SIGQUIT for itself (cancelling the process's own
        // handling, so a SIGTERM no longer ended the process) and stop only this host. The simulator runs inside
        // tests, the demo and its own Program, whichever owns the process's signals; it registers none.
        builder.Services.AddSingleton<IHostLifetime, NoSignalsLifetime>();
        var app = builder.Build();
        var sim = new KiwoomSimulator(app, options);
        sim.Map(app);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _ = Task.Run(() => sim.Conditions.ChurnLoop(sim._stopping.Token), CancellationToken.None);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        sim.RestBaseUrl = new Uri($"http://127.0.0.1:{uri.Port}/");
        sim.WebSocketUrl = new Uri($"ws://127.0.0.1:{uri.Port}/api/dostk/websocket");
        return sim;
    }

    // ------------------------------------------------------------ faults on live sessions

    /// <summary>Drops every session: with a close frame of the given status, or by aborting TCP.</summary>
    public int DropAllSessions(DropMode mode = DropMode.NormalClosure)
    {
        var n = 0;
        foreach (var s in _sessions.Keys)
        {
            n++;
            if (mode == DropMode.Abort) s.Abort();
            else s.Close((WebSocketCloseStatus)(int)mode, "simulator drop");
        }
        return n;
    }

    /// <summary>Every live session stops sending (no PING, no REAL, no replies) and stops handling frames; TCP stays open.</summary>
    public int SilenceAllSessions()
    {
        var n = 0;
        foreach (var s in _sessions.Keys) { s.GoSilent(); n++; }
        return n;
    }

    /// <summary>Every issued token becomes invalid (REST issues new ones; LOGIN with an old one fails with 8005).
    /// With <paramref name="dropSessions"/>, live sessions are closed so clients must log in again.</summary>
    public void ExpireAllTokens(bool dropSessions = true)
    {
        lock (_tokenGate) _tokens.Clear();
        if (dropSessions)
            foreach (var s in _sessions.Keys) s.Close(WebSocketCloseStatus.PolicyViolation, "token expired");
    }

    /// <summary>New WebSocket connections get HTTP 503 for <paramref name="duration"/>.</summary>
    public void RefuseConnectionsFor(TimeSpan duration) => Faults.RefuseConnectionsUntil = DateTimeOffset.UtcNow + duration;

    /// <summary>Sends <paramref name="count"/> malformed frames and one frame of an unknown trnm to every logged-in session.</summary>
    public void InjectBadFrames(int count = 1)
    {
        foreach (var s in _sessions.Keys.Where(s => s.LoggedIn))
        {
            for (var i = 0; i < count; i++) s.Send("""{"trnm":"REAL","data":[{"type":"0B","values":"#broken"""u8.ToArray());
            s.Send("""{"trnm":"CNSRXYZ","return_code":0}"""u8.ToArray());
        }
    }

    /// <summary>Sends SYSTEM R10001 to every logged-in session and closes it, as when another process logs in with the app key.</summary>
    public void SimulateDuplicateLogin()
    {
        foreach (var s in _sessions.Keys.Where(s => s.LoggedIn)) Kick(s);
    }

    /// <summary>
    /// Every logged-in session silently loses its registrations: it stays open, keeps sending PINGs and answering
    /// frames, but sends no REAL until the client registers again (a REG then is a new registration, not a duplicate).
    /// The failure of a server that lost its registrations while the socket looks healthy. Returns the sessions affected.
    /// </summary>
    public int ForgetRegistrations()
    {
        var n = 0;
        foreach (var s in _sessions.Keys.Where(s => s.LoggedIn)) { s.ForgetRegistrations(); n++; }
        return n;
    }

    // ------------------------------------------------------------ condition search

    /// <summary>
    /// Changes the membership of condition <paramref name="seq"/> now, deterministically: its first
    /// <paramref name="leave"/> members (ordinal order) leave, then the first <paramref name="enter"/> codes of
    /// <see cref="SimulatorOptions.ConditionUniverse"/> that were not members enter. Sessions with the condition active get
    /// a REAL type 02 push per change; with no session (or none with it active) the change is only the server's, as during
    /// an outage: a client sees it only by comparing its next member list with the last. Returns what changed (fewer than
    /// asked when there are not enough members or outside codes). Throws <see cref="ArgumentException"/> for an unknown seq.
    /// </summary>
    public IReadOnlyList<ConditionChange> ChangeCondition(string seq, int enter = 0, int leave = 0) => Conditions.Apply(seq, enter, leave);

    /// <summary>
    /// Changes the membership of condition <paramref name="seq"/> now: these codes (6 digits, no prefix) leave, then these
    /// enter; a code entering that is a member already, or leaving that is not, is skipped. Pushes and returns as
    /// <see cref="ChangeCondition(string, int, int)"/>. Throws <see cref="ArgumentException"/> for an unknown seq or a
    /// code that is not 6 ASCII digits / upper-case letters.
    /// </summary>
    public IReadOnlyList<ConditionChange> ChangeCondition(string seq, IEnumerable<string>? enter, IEnumerable<string>? leave) =>
        Conditions.Apply(seq, enter?.ToList() ?? [], leave?.ToList() ?? []);

    // ------------------------------------------------------------ internals used by sessions

    internal void RecordChange(Action change) => Record.Change(_ => change());

    internal void Remove(SimSession session) => _sessions.TryRemove(session, out _);

    internal string? ValidateToken(string? token)
    {
        if (token is null) return null;
        lock (_tokenGate)
            return _tokens.TryGetValue(token, out var info) && info.ExpiresAt > DateTimeOffset.UtcNow ? info.AppKey : null;
    }

    internal void KickOtherSessions(SimSession current)
    {
        // a session that has ended (closed or lost, its record closed) but is not removed yet is no longer live: kicking
        // it would record an R10001 that a real server never sent to it
        foreach (var s in _sessions.Keys)
            if (s != current && s.LoggedIn && s.IsOpen && s.AppKey == current.AppKey && !Record.Read(_ => s.Record.ClosedAt is not null))
                Kick(s);
    }

    private void Kick(SimSession s)
    {
        Record.Change(_ => s.Record.KickedByDuplicateLogin = true);
        s.Send("""{"trnm":"SYSTEM","code":"R10001","message":"동일한 App key로 접속이 되었습니다. 기존 세션은 종료가 됩니다"}"""u8.ToArray());
        s.Close(WebSocketCloseStatus.NormalClosure, "duplicate session");
    }

    // ------------------------------------------------------------ HTTP

    private void Map(WebApplication app)
    {
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.MapPost("/oauth2/token", IssueToken);
        app.MapPost("/oauth2/revoke", RevokeToken);
        app.Map("/api/dostk/websocket", AcceptSocket);
        SimulatorControl.Map(app, this);
    }

    private async Task AcceptSocket(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        var refused = DateTimeOffset.UtcNow < Faults.RefuseConnectionsUntil;
        Record.ConnectionAttempt(DateTimeOffset.UtcNow, refused);
        if (refused)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }
        using var ws = await http.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var session = new SimSession(ws, this, Record.NewSession(DateTimeOffset.UtcNow), _stopping.Token);
        _sessions[session] = true;
        await session.RunAsync().ConfigureAwait(false);
    }

    private async Task IssueToken(HttpContext http)
    {
        using var doc = await ReadJson(http).ConfigureAwait(false);
        var fault = Faults.TokenFault;
        if (fault == TokenFault.Http500)
        {
            Record.TokenRequest(DateTimeOffset.UtcNow, false);
            http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }
        string? Get(string name) => doc?.RootElement.TryGetProperty(name, out var v) == true ? v.GetString() : null;
        var appKey = Get("appkey");
        var secret = Get("secretkey");
        var code = 0;
        if (fault == TokenFault.RateLimit1700) code = 1700;
        else if (fault == TokenFault.BadCredentials8001 || string.IsNullOrEmpty(appKey) || string.IsNullOrEmpty(secret)
                 || (Options.Credentials is { } c && (c.AppKey != appKey || c.SecretKey != secret)))
            code = 8001;
        else if (Get("grant_type") != "client_credentials") code = 8020;
        if (code != 0)
        {
            Record.TokenRequest(DateTimeOffset.UtcNow, false);
            var (returnCode, returnMessage) = SimErrors.Token(Faults.ErrorEnvelope, code);
            http.Response.StatusCode = Faults.TokenErrorHttpStatus;
            await WriteJson(http, w => { w.WriteNumber("return_code", returnCode); w.WriteString("return_msg", returnMessage); }).ConfigureAwait(false);
            return;
        }
        TokenInfo info;
        lock (_tokenGate)
        {
            // Kiwoom hands back the same token while it is still valid.
            info = _tokens.Values.FirstOrDefault(t => t.AppKey == appKey && t.ExpiresAt > DateTimeOffset.UtcNow)
                   ?? new TokenInfo(Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)), appKey!, DateTimeOffset.UtcNow + Options.TokenLifetime);
            _tokens[info.Token] = info;
        }
        Record.TokenRequest(DateTimeOffset.UtcNow, true);
        await WriteJson(http, w =>
        {
            w.WriteString("expires_dt", info.ExpiresAt.ToOffset(Kst).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture));
            w.WriteString("token_type", "bearer");
            w.WriteString("token", info.Token);
            w.WriteNumber("return_code", 0);
            w.WriteString("return_msg", "정상적으로 처리되었습니다");
        }).ConfigureAwait(false);
    }

    private async Task RevokeToken(HttpContext http)
    {
        using var doc = await ReadJson(http).ConfigureAwait(false);
        var token = doc?.RootElement.TryGetProperty("token", out var t) == true ? t.GetString() : null;
        var removed = false;
        if (token is not null) lock (_tokenGate) removed = _tokens.TryRemove(token, out _);
        Record.Revoke();
        await WriteJson(http, w =>
        {
            w.WriteNumber("return_code", removed ? 0 : 8005);
            w.WriteString("return_msg", removed ? "정상적으로 처리되었습니다" : "Token이 유효하지 않습니다");
        }).ConfigureAwait(false);
    }

    private static async Task<JsonDocument?> ReadJson(HttpContext http)
    {
        try { return await JsonDocument.ParseAsync(http.Request.Body).ConfigureAwait(false); }
        catch (JsonException) { return null; }
    }

    internal static async Task WriteJson(HttpContext http, Action<Utf8JsonWriter> body)
    {
        http.Response.ContentType = "application/json;charset=UTF-8";
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        await http.Response.Body.WriteAsync(stream.ToArray()).ConfigureAwait(false);
    }

    /// <summary>Stops: aborts every session, then stops Kestrel (connections still open after <see cref="StopTimeout"/> are aborted).</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        foreach (var s in _sessions.Keys) s.Abort();
        using var timeout = new CancellationTokenSource(StopTimeout);
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>How long <see cref="DisposeAsync"/> lets Kestrel drain connections (its default would be 30 s).</summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(2);

    private sealed record TokenInfo(string Token, string AppKey, DateTimeOffset ExpiresAt);

    /// <summary>A host lifetime that handles no signals and waits for nothing.</summary>
    private sealed class NoSignalsLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
