using Akka.Actor;
using ActorFeed.Messages;
using ActorFeed.Kiwoom;
using ActorFeed.Subscriptions;

namespace ActorFeed.Connection;

/// <summary>Messages between the FeedSupervisor and the ConnectionActor.</summary>
internal static class ConnectionProtocol
{
    /// <summary>Connection to feed: logged in. The sender is the connection to talk to until it dies.</summary>
    public sealed record ConnectionUp(DateTimeOffset At);

    /// <summary>Connection to feed: where it is before <see cref="ConnectionUp"/>.</summary>
    public sealed record ConnectionPhase(FeedState State);

    /// <summary>Feed to connection: REG these items; ticks of each code go to its route.</summary>
    public sealed record RegisterItems(IReadOnlyList<RegistrationItem> Items, IReadOnlyDictionary<string, TickRoute> Routes);

    /// <summary>Feed to connection: REMOVE these items; forget the routes of <paramref name="ForgetCodes"/>.</summary>
    public sealed record UnregisterItems(IReadOnlyList<RegistrationItem> Items, IReadOnlyList<string> ForgetCodes);

    /// <summary>Connection to feed: the server accepted a REG of these items.</summary>
    public sealed record ItemsConfirmed(IReadOnlyList<RegistrationItem> Items);

    /// <summary>Connection to feed: the server rejected this single item.</summary>
    public sealed record ItemRejected(RegistrationItem Item, string Reason);

    /// <summary>Feed to connection: REMOVE these items, close with 1000, then stop. Answered with <see cref="Closed"/>.</summary>
    public sealed record CloseGracefully(IReadOnlyList<RegistrationItem> Items);

    /// <summary>Conditions actor to connection: queue this condition request (CNSRLST goes first on the connection).
    /// The sender is where the outcomes (<see cref="ConditionOutcome"/>) and the real-time changes
    /// (<see cref="ConditionChange"/>) of this connection go.</summary>
    public sealed record ConditionCommand(ConditionRequest Request);

    public sealed class Closed
    {
        public static readonly Closed Instance = new();
        private Closed() { }
    }
}
