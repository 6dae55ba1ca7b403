using System.Net.WebSockets;

namespace ActorFeed.Simulator.Sessions;

/// <summary>
/// One client WebSocket, from accept to close. Its parts, one file each:
/// <list type="bullet">
/// <item><c>SimSession.cs</c>: state and lifetime (run, end, what the record says about the end).</item>
/// <item><c>SimSession.Frames.cs</c>: the client's frames: PING echo, LOGIN, REG / REMOVE, and the replies.</item>
/// <item><c>SimSession.Conditions.cs</c>: condition search: CNSRLST, CNSRREQ, CNSRCLR, and the REAL type 02 pushes.</item>
/// <item><c>SimSession.Pumps.cs</c>: what the server sends unasked: PING with a grace period, REAL ticks.</item>
/// <item><c>SimSession.Socket.cs</c>: socket plumbing: the read loop, one writer draining an outbox, close, abort, silence.</item>
/// </list>
/// </summary>
internal sealed partial class SimSession
{
    private readonly WebSocket _ws;
    private readonly KiwoomSimulator _sim;
    private readonly CancellationTokenSource _cts;

    public SimSession(WebSocket ws, KiwoomSimulator sim, SessionRecord record, CancellationToken stopping)
    {
        _ws = ws;
        _sim = sim;
        Record = record;
        _cts = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _ticks = new TickSchedule(sim.Market);
    }

    public SessionRecord Record { get; }
    public string? AppKey { get; private set; }
    public bool LoggedIn { get; private set; }
    public bool IsOpen => !_cts.IsCancellationRequested;

    /// <summary>Runs the session until the socket closes, fails, or the simulator stops.</summary>
    public async Task RunAsync()
    {
        var writer = Task.Run(WriteLoop);
        _ = Task.Delay(_sim.Options.LoginTimeout, _cts.Token).ContinueWith(_ =>
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
            _ticks.Clear();                      // its readers leave the tapes
            _sim.Conditions.Drop(this);          // nothing carries over a reconnect
            _outbox.Writer.TryComplete();
            try { await writer.ConfigureAwait(false); } catch { /* ended */ }
            _sim.Remove(this);
        }
    }

    /// <summary>Records the end of the session (the first reason wins, except over "silenced").</summary>
    private void Ended(string reason) => _sim.RecordChange(() =>
    {
        Record.ClosedAt ??= DateTimeOffset.UtcNow;
        Record.ClosedAtMicros ??= SimClock.NowMicros();
        if (Record.CloseReason is null or "silenced") Record.CloseReason = reason;
    });
}
