namespace ActorFeed.Hosting;

/// <summary>Registry key of the feed: resolve it with <c>IRequiredActor&lt;ActorFeedActor&gt;</c> or <c>ActorRegistry.Get&lt;ActorFeedActor&gt;()</c>.</summary>
public sealed class ActorFeedActor
{
    private ActorFeedActor() { }
}
