namespace ActorFeed.Messages;

/// <summary>Answer to <see cref="Unsubscribe"/>: this subscriber gets no more ticks of the code and type.</summary>
public sealed record SubscriptionRemoved(string Code, string Type);
