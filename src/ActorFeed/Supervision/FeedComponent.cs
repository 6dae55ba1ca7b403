namespace ActorFeed.Supervision;

/// <summary>The supervised parts of a feed that fail and restart on their own.</summary>
public enum FeedComponent
{
    /// <summary>The token actor: issues, refreshes and replaces the bearer token over REST.</summary>
    Token,
    /// <summary>The connection actor: the WebSocket session (LOGIN, PING, REG / REMOVE, REAL).</summary>
    Connection,
}

internal static class FeedComponents
{
    /// <summary>The lower-case name used in logs and metrics: "token", "connection".</summary>
    public static string Name(this FeedComponent component) => component == FeedComponent.Token ? "token" : "connection";
}
