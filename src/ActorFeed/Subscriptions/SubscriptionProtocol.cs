using Akka.Actor;

namespace ActorFeed.Subscriptions;

/// <summary>Messages between the FeedSupervisor and its SubscriptionActors.</summary>
internal static class SubscriptionProtocol
{
    /// <summary>Subscription to feed: the type gained its first subscriber.</summary>
    public sealed record TypeWanted(string Code, string Type);

    /// <summary>Subscription to feed: the type lost its last subscriber.</summary>
    public sealed record TypeUnwanted(string Code, string Type);

    /// <summary>Subscription to feed: nothing left; <paramref name="Handled"/> counts the requests it has processed.</summary>
    public sealed record Idle(string Code, long Handled);

    /// <summary>Feed to subscription: the server confirmed the type.</summary>
    public sealed record TypeConfirmed(string Type);

    /// <summary>Feed to subscription: the server rejected the type; tell its subscribers and drop them.</summary>
    public sealed record TypeRejected(string Type, string Reason);
}
