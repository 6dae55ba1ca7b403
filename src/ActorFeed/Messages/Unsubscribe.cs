using Akka.Actor;

namespace ActorFeed.Messages;

/// <summary>Stop the ticks of one instrument and type for <paramref name="Subscriber"/> (the sender when null).
/// Answered with <see cref="SubscriptionRemoved"/>; the last subscriber leaving sends REMOVE to the server.</summary>
public sealed record Unsubscribe(string Code, string Type, IActorRef? Subscriber = null);
