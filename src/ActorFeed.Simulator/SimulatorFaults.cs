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

/// <summary>
/// Which of Kiwoom's two error envelopes the token endpoint and LOGIN answer errors in (both are seen from the real
/// server; a client must read both).
/// </summary>
public enum ErrorEnvelope
{
    /// <summary>The fine code in <c>return_code</c> itself: <c>{"return_code":8001,"return_msg":"App Key와 Secret Key 검증에 실패했습니다"}</c>.</summary>
    FineCode,
    /// <summary>
    /// A coarse <c>return_code</c> with the fine code inside the message: token endpoint
    /// <c>{"return_code":3,"return_msg":"인증에 실패했습니다[8001:App Key와 Secret Key 검증에 실패했습니다]"}</c>
    /// (3 for 8xxx, 5 for 1700, 2 otherwise); LOGIN <c>{"trnm":"LOGIN","return_code":805004,"return_msg":"토큰 인증에 실패했습니다. 접속을 종료합니다 [CODE=8005, MESSAGE=Token이 유효하지 않습니다]"}</c>
    /// (return_code: the fine code * 100 + 4, as 805004 was observed for 8005).
    /// </summary>
    Coarse,
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
    private int _rejectLoginCode = 8005;
    private int _withholdRegReplies; // 0: answer, -1: withhold every reply, N > 0: withhold the next N
    private int _rateLimitRegs;

    /// <summary>Token endpoint fault for every request until set back to None.</summary>
    public TokenFault TokenFault { get; set; }

    /// <summary>The envelope of the token endpoint's and LOGIN's error replies (default <see cref="ErrorEnvelope.FineCode"/>).</summary>
    public ErrorEnvelope ErrorEnvelope { get; set; }

    /// <summary>
    /// The HTTP status of the token endpoint's JSON error replies (bad credentials, 1700, bad grant type): 200 by
    /// default; e.g. 400 or 401 to send the same body with an HTTP error status, or 429 with a 1700.
    /// </summary>
    public int TokenErrorHttpStatus { get; set; } = 200;

    /// <summary>New WebSocket connections are refused (HTTP 503) until this time.</summary>
    public DateTimeOffset RefuseConnectionsUntil { get; set; }

    /// <summary>A REG containing any of these codes fails as Kiwoom answers an unknown symbol: fine code 1901 (see
    /// <see cref="ErrorEnvelope"/> for the envelope). Nothing of that REG is registered.</summary>
    public ConcurrentDictionary<string, bool> RejectRegCodes { get; } = new(StringComparer.Ordinal);

    /// <summary>Answer the next <paramref name="count"/> REG frames with 1700 (request rate exceeded) without applying them.</summary>
    public void RateLimitNextRegs(int count) => Interlocked.Exchange(ref _rateLimitRegs, Math.Max(0, count));

    /// <summary>Delay before each frame the server sends.</summary>
    public TimeSpan SendDelay { get; set; }

    /// <summary>
    /// Reject the next <paramref name="count"/> LOGINs (whatever the token) with the fine code <paramref name="code"/>
    /// (8005 token invalid, 8031 mode mismatch, 8103 device, 8001, 1700, ...), in the <see cref="ErrorEnvelope"/>; the
    /// session is closed after the reply.
    /// </summary>
    public void RejectNextLogins(int count, int code = 8005)
    {
        Volatile.Write(ref _rejectLoginCode, code);
        Interlocked.Exchange(ref _rejectLogins, count);
    }

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

    /// <summary>The fine code to reject this LOGIN with (and counts it), or null when it is not to be rejected.</summary>
    internal int? TakeLoginRejection() => TakeOne(ref _rejectLogins) ? Volatile.Read(ref _rejectLoginCode) : null;

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
        ErrorEnvelope = ErrorEnvelope.FineCode;
        TokenErrorHttpStatus = 200;
        RefuseConnectionsUntil = default;
        RejectRegCodes.Clear();
        SendDelay = TimeSpan.Zero;
        Interlocked.Exchange(ref _rejectLogins, 0);
        Volatile.Write(ref _rejectLoginCode, 8005);
        Interlocked.Exchange(ref _rateLimitRegs, 0);
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

/// <summary>Error replies in either <see cref="ErrorEnvelope"/>.</summary>
internal static class SimErrors
{
    /// <summary>The message Kiwoom gives with a fine code (texts as its API guide words them, or close).</summary>
    public static string Text(int fineCode) => fineCode switch
    {
        8001 => "App Key와 Secret Key 검증에 실패했습니다",
        8005 => "Token이 유효하지 않습니다",
        8020 => "grant_type이 올바르지 않습니다",
        8030 or 8031 => "실전/모의투자 구분이 일치하지 않습니다",
        8103 => "단말기 인증에 실패했습니다",
        1700 => "허용된 요청 개수를 초과하였습니다",
        _ => "요청이 거부되었습니다",
    };

    /// <summary>return_code and return_msg of a token endpoint error.</summary>
    public static (int ReturnCode, string Message) Token(ErrorEnvelope envelope, int fineCode) => envelope switch
    {
        ErrorEnvelope.Coarse => fineCode switch
        {
            >= 8000 and < 9000 => (3, $"인증에 실패했습니다[{fineCode}:{Text(fineCode)}]"),
            1700 => (5, $"허용된 요청 개수를 초과하였습니다[{fineCode}:{Text(fineCode)}]"),
            _ => (2, $"요청이 올바르지 않습니다[{fineCode}:{Text(fineCode)}]"),
        },
        _ => (fineCode, Text(fineCode)),
    };

    /// <summary>return_code and return_msg of a LOGIN refusal.</summary>
    public static (int ReturnCode, string Message) Login(ErrorEnvelope envelope, int fineCode) => envelope switch
    {
        ErrorEnvelope.Coarse => (fineCode * 100 + 4,
            $"{(fineCode == 8005 ? "토큰 인증에 실패했습니다" : "로그인에 실패했습니다")}. 접속을 종료합니다 [CODE={fineCode}, MESSAGE={Text(fineCode)}]"),
        _ => (fineCode, Text(fineCode)),
    };
}
