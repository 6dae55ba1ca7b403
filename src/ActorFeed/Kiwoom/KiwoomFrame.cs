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

/// <summary>
/// Reply to CNSRLST: the user's condition searches (seq, name). Entries the decoder could not read (no seq) are left
/// out. <paramref name="ReturnCode"/> is 0 when the server sent none (a list with data but no code is a list).
/// </summary>
internal sealed record ConditionListFrame(int ReturnCode, string ReturnMessage, IReadOnlyList<ConditionEntry> Conditions) : KiwoomFrame
{
    /// <summary>The error, classified from either envelope; null on success.</summary>
    public KiwoomError? Error => KiwoomError.Of(ReturnCode, ReturnMessage);
}

/// <summary>One condition of a CNSRLST reply: its seq exactly as the server wrote it (sent back as is) and its name.</summary>
internal sealed record ConditionEntry(string Seq, string Name);

/// <summary>
/// Reply to CNSRREQ: one page of members (codes with their A / J / Q prefix stripped). <paramref name="More"/>:
/// <c>cont_yn</c> was "Y", the next page is asked with <paramref name="NextKey"/>.
/// </summary>
internal sealed record ConditionSearchFrame(int ReturnCode, string ReturnMessage, string? Seq, IReadOnlyList<string> Codes, bool More, string? NextKey) : KiwoomFrame
{
    /// <summary>The error, classified from either envelope; null on success.</summary>
    public KiwoomError? Error => KiwoomError.Of(ReturnCode, ReturnMessage);
}

/// <summary>Reply to CNSRCLR.</summary>
internal sealed record ConditionClearFrame(int ReturnCode, string ReturnMessage, string? Seq) : KiwoomFrame
{
    /// <summary>The error, classified from either envelope; null on success.</summary>
    public KiwoomError? Error => KiwoomError.Of(ReturnCode, ReturnMessage);
}

/// <summary>A well-formed frame of a kind ActorFeed does not handle.</summary>
internal sealed record UnknownFrame(string Trnm) : KiwoomFrame;

/// <summary>A frame that could not be decoded.</summary>
internal sealed record MalformedFrame(string Reason) : KiwoomFrame;
