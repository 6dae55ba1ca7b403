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
    private int _rateLimitRegs;

    /// <summary>Token endpoint fault for every request until set back to None.</summary>
    public TokenFault TokenFault { get; set; }

    /// <summary>New WebSocket connections are refused (HTTP 503) until this time.</summary>
    public DateTimeOffset RefuseConnectionsUntil { get; set; }

    /// <summary>A REG containing any of these codes fails as Kiwoom answers an unknown symbol: fine code 1901 (see
    /// <see cref="CoarseRegErrors"/> for the envelope). Nothing of that REG is registered.</summary>
    public ConcurrentDictionary<string, bool> RejectRegCodes { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How REG / REMOVE errors with a fine code (1901, 1700) are answered: false (default) with the fine code in
    /// <c>return_code</c> (<c>{"return_code":1901,...}</c>); true in the coarse envelope, the fine code inside the
    /// message (<c>{"return_code":2,"return_msg":"...[1901:...]"}</c>, return_code 5 for 1700).
    /// </summary>
    public bool CoarseRegErrors { get; set; }

    /// <summary>Answer the next <paramref name="count"/> REG frames with 1700 (request rate exceeded) without applying them.</summary>
    public void RateLimitNextRegs(int count) => Interlocked.Exchange(ref _rateLimitRegs, Math.Max(0, count));

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

    /// <summary>True when this REG is to be answered with 1700 (and counts it).</summary>
    internal bool TakeRateLimitedReg() => TakeOne(ref _rateLimitRegs);

    internal bool TakeLoginRejection() => TakeOne(ref _rejectLogins);

    private static bool TakeOne(ref int counter)
    {
        while (true)
        {
            var n = Volatile.Read(ref counter);
            if (n <= 0) return false;
            if (Interlocked.CompareExchange(ref counter, n - 1, n) == n) return true;
        }
    }

    /// <summary>Clears every switch.</summary>
    public void Clear()
    {
        TokenFault = TokenFault.None;
        RefuseConnectionsUntil = default;
        RejectRegCodes.Clear();
        CoarseRegErrors = false;
        SendDelay = TimeSpan.Zero;
        Interlocked.Exchange(ref _rejectLogins, 0);
        Interlocked.Exchange(ref _rateLimitRegs, 0);
        Interlocked.Exchange(ref _withholdRegReplies, 0);
    }
}
