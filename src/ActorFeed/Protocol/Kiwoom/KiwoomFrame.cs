using ActorFeed.Messages;

namespace ActorFeed.Protocol.Kiwoom;

/// <summary>A decoded server frame.</summary>
public abstract record KiwoomFrame;

/// <summary>Application keepalive: the client must send the same bytes back.</summary>
public sealed record PingFrame : KiwoomFrame
{
    public static readonly PingFrame Instance = new();
}

/// <summary>Reply to LOGIN.</summary>
public sealed record LoginReplyFrame(int ReturnCode, string ReturnMessage) : KiwoomFrame
{
    public bool Success => ReturnCode == 0;

    /// <summary>True when the server says the token is not valid (CODE=8005 and friends): get a new one.</summary>
    public bool TokenRejected => !Success && KiwoomErrors.MentionsTokenInvalid(ReturnMessage);
}

/// <summary>Reply to REG or REMOVE; it does not say which item failed.</summary>
public sealed record RegistrationReplyFrame(string Trnm, int ReturnCode, string ReturnMessage) : KiwoomFrame
{
    public bool Success => ReturnCode == 0;
}

/// <summary>REAL: one or more entries.</summary>
public sealed record RealFrame(IReadOnlyList<Tick> Ticks) : KiwoomFrame;

/// <summary>SYSTEM notice, e.g. R10001 duplicate session.</summary>
public sealed record SystemFrame(string Code, string Message) : KiwoomFrame
{
    public const string DuplicateSessionCode = "R10001";
    public bool IsDuplicateSession => Code == DuplicateSessionCode;
}

/// <summary>A well-formed frame of a kind ActorFeed does not handle (e.g. condition search).</summary>
public sealed record UnknownFrame(string Trnm) : KiwoomFrame;

/// <summary>A frame that could not be decoded.</summary>
public sealed record MalformedFrame(string Reason) : KiwoomFrame;
