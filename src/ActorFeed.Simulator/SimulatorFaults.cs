using System.Collections.Concurrent;

namespace ActorFeed.Simulator;

/// <summary>How the token endpoint misbehaves.</summary>
public enum TokenFault
{
    /// <summary>The token endpoint answers normally.</summary>
    None,
    /// <summary>HTTP 500.</summary>
    Http500,
    /// <summary>return_code 8001: bad app key / secret.</summary>
    BadCredentials8001,
    /// <summary>return_code 1700: rate limit.</summary>
    RateLimit1700,
}

/// <summary>How to drop the live sessions.</summary>
public enum DropMode
{
    /// <summary>Close frame 1000.</summary>
    NormalClosure = 1000,
    /// <summary>Close frame 1001.</summary>
    GoingAway = 1001,
    /// <summary>Close frame 1011.</summary>
    InternalError = 1011,
    /// <summary>Abort the TCP connection without a close frame.</summary>
    Abort = 0,
}

/// <summary>Fault switches; the live-session ones act through <see cref="KiwoomSimulator"/>.</summary>
public sealed class SimulatorFaults
{
    private int _rejectLogins;
    private int _withholdRegReplies; // 0: answer, -1: withhold every reply, N > 0: withhold the next N

    /// <summary>Token endpoint fault for every request until set back to None.</summary>
    public TokenFault TokenFault { get; set; }

    /// <summary>New WebSocket connections are refused (HTTP 503) until this time.</summary>
    public DateTimeOffset RefuseConnectionsUntil { get; set; }

    /// <summary>A REG containing any of these codes fails with return_code 1.</summary>
    public ConcurrentDictionary<string, bool> RejectRegCodes { get; } = new(StringComparer.Ordinal);

    /// <summary>Delay before each frame the server sends.</summary>
    public TimeSpan SendDelay { get; set; }

    /// <summary>Reject the next <paramref name="count"/> LOGINs with CODE=8005 (whatever the token).</summary>
    public void RejectNextLogins(int count) => Interlocked.Exchange(ref _rejectLogins, count);

    /// <summary>
    /// While true, REG and REMOVE frames of logged-in clients are handled as usual (registered or removed, recorded)
    /// but get no reply, so the client's request timeout is what notices. Setting it replaces a count given to
    /// <see cref="WithholdNextRegReplies"/>; it reads true while any reply is still to be withheld.
    /// </summary>
    public bool WithholdRegReplies
    {
        get => Volatile.Read(ref _withholdRegReplies) != 0;
        set => Interlocked.Exchange(ref _withholdRegReplies, value ? -1 : 0);
    }

    /// <summary>Withhold the replies to the next <paramref name="count"/> REG / REMOVE frames (see <see cref="WithholdRegReplies"/>), then answer again.</summary>
    public void WithholdNextRegReplies(int count) => Interlocked.Exchange(ref _withholdRegReplies, Math.Max(0, count));

    /// <summary>True when the reply to this REG / REMOVE is to be withheld (and counts it).</summary>
    internal bool TakeWithheldRegReply()
    {
        while (true)
        {
            var n = Volatile.Read(ref _withholdRegReplies);
            if (n == 0) return false;
            if (n < 0) return true;
            if (Interlocked.CompareExchange(ref _withholdRegReplies, n - 1, n) == n) return true;
        }
    }

    internal bool TakeLoginRejection()
    {
        while (true)
        {
            var n = Volatile.Read(ref _rejectLogins);
            if (n <= 0) return false;
            if (Interlocked.CompareExchange(ref _rejectLogins, n - 1, n) == n) return true;
        }
    }

    /// <summary>Clears every switch.</summary>
    public void Clear()
    {
        TokenFault = TokenFault.None;
        RefuseConnectionsUntil = default;
        RejectRegCodes.Clear();
        SendDelay = TimeSpan.Zero;
        Interlocked.Exchange(ref _rejectLogins, 0);
        Interlocked.Exchange(ref _withholdRegReplies, 0);
        MarketClosed = false;
    }

    // ------------------------------------------------------------ market hours

    private readonly object _marketGate = new();
    private bool _marketClosed;
    private long _closedSince;     // Stopwatch timestamp of the close
    private long _closedTotal;     // Stopwatch ticks the market spent closed before that

    /// <summary>
    /// While true the market is closed: no trades happen and no session gets REAL, while PINGs and replies go on, as
    /// outside trading hours. When it opens again trades resume where they stopped: the closed period has none.
    /// </summary>
    public bool MarketClosed
    {
        get { lock (_marketGate) return _marketClosed; }
        set
        {
            lock (_marketGate)
            {
                if (value == _marketClosed) return;
                var now = System.Diagnostics.Stopwatch.GetTimestamp();
                if (value) _closedSince = now;
                else _closedTotal += now - _closedSince;
                _marketClosed = value;
            }
        }
    }

    /// <summary>The market's clock: Stopwatch ticks with the closed periods taken out (it stands still while closed).</summary>
    internal long MarketTimestamp()
    {
        lock (_marketGate)
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            return now - _closedTotal - (_marketClosed ? now - _closedSince : 0);
        }
    }
}
