namespace ActorFeed.Messages;

/// <summary>The subscription was refused: invalid input (nothing was sent to the server) or the server rejected the item.</summary>
public sealed record SubscriptionRejected(string Code, string Type, string Reason);
