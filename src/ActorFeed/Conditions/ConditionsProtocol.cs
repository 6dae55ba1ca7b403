using Akka.Actor;

namespace ActorFeed.Conditions;

/// <summary>Messages between the FeedSupervisor and its <see cref="ConditionsActor"/>.</summary>
internal static class ConditionsProtocol
{
    /// <summary>Feed to conditions: a connection logged in; condition requests go to it until it dies.</summary>
    public sealed record ConnectionAvailable(IActorRef Connection);

    /// <summary>Conditions to feed: subscribe <paramref name="Subscriber"/> to <paramref name="Code"/>/<paramref name="Type"/>
    /// on behalf of <paramref name="Holder"/> ("condition:N"), counted apart from the host's own subscriptions.</summary>
    public sealed record HoldTicks(string Code, string Type, IActorRef Subscriber, string Holder);

    /// <summary>Conditions to feed: release what <see cref="HoldTicks"/> held.</summary>
    public sealed record ReleaseTicks(string Code, string Type, IActorRef Subscriber, string Holder);
}
