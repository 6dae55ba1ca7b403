namespace ActorFeed.Messages;

/// <summary>The server accepted the registration of this code and type; ticks follow.</summary>
public sealed record SubscriptionConfirmed(string Code, string Type);
