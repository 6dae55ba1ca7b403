using Akka.Actor;

namespace ActorFeed.Messages;

/// <summary>
/// Ask the feed for real-time data of one instrument and type. Ticks go to <paramref name="Subscriber"/>
/// (the sender when null). The feed answers <see cref="SubscriptionConfirmed"/> once the server
/// accepted the registration, or <see cref="SubscriptionRejected"/> with a reason.
/// For the per-account types 00 and 04 the code is empty.
/// </summary>
public sealed record Subscribe(string Code, string Type, IActorRef? Subscriber = null);
