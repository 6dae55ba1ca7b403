using Akka.Actor;

namespace ActorFeed.Messages;

/// <summary>
/// Ask the feed for real-time data of one instrument and type. Ticks go to <paramref name="Subscriber"/>
/// (the sender when null). The feed answers <see cref="SubscriptionConfirmed"/> once the server
/// accepted the registration, or <see cref="SubscriptionRejected"/> with a reason.
/// For the per-account types 00 and 04 the code is empty.
/// </summary>
public sealed record Subscribe(string Code, string Type, IActorRef? Subscriber = null)
{
    /// <summary>
    /// True: the subscriber gets this code and type's ticks as <see cref="TickBatch"/> messages, one per received frame
    /// holding every tick of that frame for it (over all its batched subscriptions), instead of one <see cref="Tick"/>
    /// message per tick: fewer mailbox operations at high rates (less CPU per tick; a tick waits for the rest of its frame). False (default): one <see cref="Tick"/> each.
    /// The latest <c>Subscribe</c> of a subscriber for a code and type decides.
    /// </summary>
    public bool Batched { get; init; }
}
