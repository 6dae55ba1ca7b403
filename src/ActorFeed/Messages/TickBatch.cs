namespace ActorFeed.Messages;

/// <summary>
/// The ticks of one received frame for one subscriber that asked for batches (<see cref="Subscribe.Batched"/>), in the
/// order of the frame: one message instead of one <see cref="Tick"/> per entry, over every code and type the subscriber
/// subscribed with batches. A frame of 50 entries for one subscriber is then one mailbox operation instead of 50.
/// The ticks of one code and type arrive in order across batches, and a <see cref="SubscriptionGap"/> still arrives,
/// as its own message, before the batch holding the tick that ends it. A subscriber that falls more than
/// <c>max-pending-ticks</c> messages behind gets the latest tick of each code in batches of one once it catches up
/// (see the README's "Slow subscribers"). The sender is <c>ActorRefs.NoSender</c> (a batch spans codes).
/// </summary>
/// <param name="Ticks">The ticks, in the order the server sent them (never empty).</param>
public sealed record TickBatch(IReadOnlyList<Tick> Ticks);
