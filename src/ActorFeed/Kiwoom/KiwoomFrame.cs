using ActorFeed.Messages;

namespace ActorFeed.Kiwoom;

/// <summary>A decoded server frame.</summary>
internal abstract record KiwoomFrame;

/// <summary>Application keepalive: the client must send the same bytes back.</summary>
internal sealed record PingFrame : KiwoomFrame
{
    public static readonly PingFrame Instance = new();
}

/// <summary>Reply to LOGIN.</summary>
internal sealed record LoginReplyFrame(int ReturnCode, string ReturnMessage) : KiwoomFrame
{
    public bool Success => ReturnCode == 0;

    /// <summary>The error, classified from either envelope; null on success.</summary>
    public KiwoomError? Error => KiwoomError.Of(ReturnCode, ReturnMessage);
}

/// <summary>Reply to REG or REMOVE; it does not say which item failed.</summary>
internal sealed record RegistrationReplyFrame(RegistrationKind Kind, int ReturnCode, string ReturnMessage) : KiwoomFrame
{
    public bool Success => ReturnCode == 0;

    /// <summary>The error, classified from either envelope; null on success.</summary>
    public KiwoomError? Error => KiwoomError.Of(ReturnCode, ReturnMessage);
}

/// <summary>REAL: one or more entries.</summary>
internal sealed record RealFrame(IReadOnlyList<Tick> Ticks) : KiwoomFrame;

/// <summary>SYSTEM notice, e.g. R10001 duplicate session.</summary>
internal sealed record SystemFrame(string Code, string Message) : KiwoomFrame
{
    public const string DuplicateSessionCode = "R10001";
    public bool IsDuplicateSession => Code == DuplicateSessionCode;
}

/// <summary>A well-formed frame of a kind ActorFeed does not handle (e.g. condition search).</summary>
internal sealed record UnknownFrame(string Trnm) : KiwoomFrame;

/// <summary>A frame that could not be decoded.</summary>
internal sealed record MalformedFrame(string Reason) : KiwoomFrame;
