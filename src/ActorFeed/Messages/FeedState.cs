namespace ActorFeed.Messages;

/// <summary>Where the feed is in its life.</summary>
public enum FeedState
{
    /// <summary>Getting a bearer token.</summary>
    Authenticating,
    /// <summary>Opening the socket and logging in.</summary>
    Connecting,
    /// <summary>Logged in; subscriptions are live.</summary>
    Connected,
    /// <summary>The link failed; a restart is scheduled (see <see cref="FeedStatus.NextRetryAt"/>).</summary>
    Reconnecting,
    /// <summary>A permanent failure (bad credentials, duplicate session): retrying slowly.</summary>
    Failed,
    /// <summary>Shut down.</summary>
    Stopped,
}
