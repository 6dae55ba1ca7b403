namespace ActorFeed.Connection;

/// <summary>
/// What the connection must remember across its own restarts (every restart is a new <see cref="ConnectionActor"/>):
/// whether the one free retry with a new token has been used since the last successful LOGIN. Kiwoom's own client
/// re-issues the token and logs in again ONCE when LOGIN is refused for the token (8005 and the other token codes),
/// for the mode (8031) or the device (8103); a refusal of the LOGIN after that re-issue is permanent. A LOGIN that
/// succeeds gives the free retry back, so a token that expires later in the session gets it again.
/// </summary>
/// <remarks>
/// One per feed: the FeedSupervisor creates it and passes it into <see cref="ConnectionActor.Props"/>, so every
/// incarnation of the connection shares it. Only the connection reads or writes it, and only one incarnation lives at
/// a time (the next is created after the previous one terminated), so it needs no lock.
/// </remarks>
internal sealed class LoginRetryMemory
{
    /// <summary>True once the free retry was used and no LOGIN has succeeded since.</summary>
    public bool RetriedWithNewToken { get; private set; }

    /// <summary>Uses the free retry: true when it was still there (re-issue and retry), false when it was used already (permanent).</summary>
    public bool TryUseRetry()
    {
        if (RetriedWithNewToken) return false;
        RetriedWithNewToken = true;
        return true;
    }

    /// <summary>LOGIN succeeded: the next refusal gets its free retry again.</summary>
    public void LoggedIn() => RetriedWithNewToken = false;
}
