namespace ActorFeed.Messages;

/// <summary>Published on the actor system's EventStream whenever the feed's state or cause changes.</summary>
public sealed record FeedStatusChanged(FeedStatus Status);
