namespace ActorFeed.Messages;

/// <summary>Ask the feed for its <see cref="FeedStatus"/>.</summary>
public sealed class GetFeedStatus
{
    /// <summary>The only instance.</summary>
    public static readonly GetFeedStatus Instance = new();
    private GetFeedStatus() { }
}
