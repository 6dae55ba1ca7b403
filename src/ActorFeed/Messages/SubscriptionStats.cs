namespace ActorFeed.Messages;

/// <summary>
/// Ask the feed for a reading of every subscribed code and type, with its status: answered with
/// <see cref="SubscriptionStats"/>. Read-only and cheap (the counters are kept on the tick path anyway, by an increment
/// and a reference store): fit to be asked about once a second by a status page (the dashboard of ActorFeed.Hosting
/// does) or a monitor.
/// </summary>
public sealed class GetSubscriptionStats
{
    /// <summary>The only instance.</summary>
    public static readonly GetSubscriptionStats Instance = new();
    private GetSubscriptionStats() { }
}

/// <summary>The answer to <see cref="GetSubscriptionStats"/>: both parts taken at <paramref name="At"/> on the feed's clock.</summary>
/// <param name="Status">The feed's status, as <see cref="GetFeedStatus"/> answers it at the same moment.</param>
/// <param name="Subscriptions">One reading per subscribed code and type (the feed's own subscriptions and those a condition
/// holds), sorted by code, then type (ordinal).</param>
/// <param name="At">When the reading was taken.</param>
public sealed record SubscriptionStats(FeedStatus Status, IReadOnlyList<SubscriptionStat> Subscriptions, DateTimeOffset At);

/// <summary>
/// A reading of one subscribed code and type (<see cref="SubscriptionStats"/>). Counters start when the pair gets its
/// first subscriber and are forgotten when it loses its last one.
/// </summary>
/// <param name="Code">Instrument code ("" for the per-account types 00 / 04).</param>
/// <param name="Type">Real-time type, e.g. "0B".</param>
/// <param name="Confirmed">True when the server confirmed the pair on the current connection.</param>
/// <param name="Ticks">Ticks delivered since the pair was subscribed (a rate is the difference of two readings over the time
/// between them). A reading may be one tick behind the receive thread.</param>
/// <param name="LastTickAt">When the last tick of the pair was received (<see cref="Tick.ReceivedAt"/>); null before the first.</param>
/// <param name="LastPrice">The last tick's current price (FID 10, without its direction sign: <see cref="Tick.Price"/>); null
/// before the first tick, for a type without FID 10, or when the field cannot be read.</param>
/// <param name="Gaps">How many <see cref="SubscriptionGap"/> notices the pair's subscribers were sent.</param>
/// <param name="LastGap">The last of them; null when none.</param>
/// <param name="Silent">How long the code has been silent as staleness measures it: since its last market-data tick of any
/// type (event types such as 0s or 1h do not count), or since it was confirmed again after an interruption; null before
/// either.</param>
/// <param name="StaleAfter">After how much silence the code counts as stale: its learned pace times a factor, never less than
/// <c>actorfeed.subscription.stale-floor</c>; null while the pace is not learned (the code is then never stale).</param>
/// <param name="Stale">True when the code is in <see cref="FeedStatus.StaleCodes"/> now (silent longer than
/// <paramref name="StaleAfter"/> while connected and while the market calendar expects its data).</param>
/// <param name="Session">The market calendar's session for the code now: "Closed", "PreOpen", "Regular",
/// "ClosingAuction", "AfterHours" (KRX) or "Nxt" (Nextrade); with <c>actorfeed.market-calendar = always</c>, "Regular" (or "Nxt" for a <c>_NX</c> code).</param>
/// <param name="DataExpected">True when the market calendar expects data for the code now (silence then matters).</param>
public sealed record SubscriptionStat(
    string Code,
    string Type,
    bool Confirmed,
    long Ticks,
    DateTimeOffset? LastTickAt,
    decimal? LastPrice,
    int Gaps,
    SubscriptionGap? LastGap,
    TimeSpan? Silent,
    TimeSpan? StaleAfter,
    bool Stale,
    string Session,
    bool DataExpected);
