using Akka.Actor;

namespace ActorFeed.Subscriptions;

/// <summary>Messages between the FeedSupervisor and its SubscriptionActors.</summary>
internal static class SubscriptionProtocol
{
    /// <summary>Feed to subscription: a validated <c>Subscribe</c> (the feed counts what it forwards, see <see cref="Idle"/>).
    /// <paramref name="Holder"/>: who holds the subscription, null for the host's own <c>Subscribe</c> (see
    /// <see cref="SubscriptionActor"/>: holds of different holders are counted apart). <paramref name="Batched"/>: the
    /// host's <c>Subscribe.Batched</c> (null for another holder: the subscriber's choice stays as it is).</summary>
    public sealed record AddSubscriber(string Type, IActorRef Subscriber, string? Holder = null, bool? Batched = null);

    /// <summary>Feed to subscription: a validated <c>Unsubscribe</c>, or the release of a <paramref name="Holder"/>'s hold.</summary>
    public sealed record RemoveSubscriber(string Type, IActorRef Subscriber, string? Holder = null);

    /// <summary>Subscription to feed: the type gained its first subscriber.</summary>
    public sealed record TypeWanted(string Code, string Type);

    /// <summary>Subscription to feed: the type lost its last subscriber.</summary>
    public sealed record TypeUnwanted(string Code, string Type);

    /// <summary>Subscription to feed: nothing left; <paramref name="Handled"/> counts the <see cref="AddSubscriber"/> and
    /// <see cref="RemoveSubscriber"/> it has processed, so the feed can tell whether one is still on its way.</summary>
    public sealed record Idle(string Code, long Handled);

    /// <summary>Feed to subscription: the server confirmed the type.</summary>
    public sealed record TypeConfirmed(string Type);

    /// <summary>Feed to subscription: the server rejected the type; tell its subscribers and drop them.</summary>
    public sealed record TypeRejected(string Type, string Reason);
}
