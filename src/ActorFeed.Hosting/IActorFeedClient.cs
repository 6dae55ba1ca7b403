using ActorFeed.Messages;

namespace ActorFeed.Hosting;

/// <summary>The feed for code that does not use actors. Registered in DI by <see cref="ActorFeedServiceCollectionExtensions.AddActorFeed"/>.</summary>
public interface IActorFeedClient
{
    /// <summary>Subscribes to <paramref name="type"/> of every code; invalid input shows up in <see cref="TickStream.Rejected"/>.</summary>
    TickStream Subscribe(IEnumerable<string> codes, string type, int capacity = 1024, TickOverflow overflow = TickOverflow.DropOldest);

    /// <summary>
    /// Follows condition search <paramref name="seq"/> (조건검색, a seq of <see cref="ListConditions"/>) in real time: a
    /// snapshot of its members, then every entry and exit (see <see cref="ConditionStream"/>). Dispose to unsubscribe.
    /// </summary>
    ConditionStream WatchCondition(int seq);

    /// <summary>The feed's current status.</summary>
    Task<FeedStatus> GetStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>The feed's status and a reading of every subscribed code/type pair (<see cref="GetSubscriptionStats"/>):
    /// last tick, counts, rates, silence, staleness. Read-only, fit to be asked about once a second.</summary>
    Task<SubscriptionStats> GetSubscriptionStatsAsync(CancellationToken cancellationToken = default);

    /// <summary>Each condition search the feed follows in real time and how it stands (<see cref="GetConditionStatus"/>), with
    /// at most <paramref name="maxMembers"/> member codes per condition. Read-only: nothing is sent to the server.</summary>
    Task<ConditionStatus> GetConditionStatusAsync(int maxMembers = 20, CancellationToken cancellationToken = default);
}
