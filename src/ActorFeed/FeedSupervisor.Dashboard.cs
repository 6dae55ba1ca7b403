using ActorFeed.Kiwoom;
using ActorFeed.Messages;
using ActorFeed.Subscriptions;

namespace ActorFeed;

/// <summary>The FeedSupervisor's answer to <see cref="GetSubscriptionStats"/> (the dashboard's question): read-only.</summary>
internal sealed partial class FeedSupervisor
{
    private SubscriptionStats SubscriptionStats()
    {
        var now = _deps.Time.GetUtcNow();
        var status = CurrentStatus();
        var counters = new List<PairCounters>(_subscriptions.Count);
        foreach (var entry in _subscriptions.Values) entry.Route.Collect(counters);
        var pairs = new List<SubscriptionStat>(counters.Count);
        foreach (var c in counters)
        {
            var route = _subscriptions[c.Code].Route;
            var pace = route.Pace;
            var confirmed = _desired.TryGetValue(new RegistrationItem(c.Code, c.Type), out var state) && state.Confirmed;
            // the silence staleness judges: of the code, on the pace's clock, since its last tick (or since it was confirmed again)
            TimeSpan? silent = pace.LastTickMs is { } lastMs ? TimeSpan.FromMilliseconds(Math.Max(0, route.NowMs() - lastMs)) : null;
            TimeSpan? staleAfter = pace.StaleAfterMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null;
            pairs.Add(new SubscriptionStat(c.Code, c.Type, confirmed, c.Ticks, c.Last?.ReceivedAt, PriceOf(c.Last), c.Gaps, c.LastGap,
                silent, staleAfter, status.StaleCodes.Contains(c.Code), _market.Calendar.SessionAt(now, c.Code).ToString(),
                _market.ExpectsData(now, c.Code)));
        }
        pairs.Sort((a, b) => (string.CompareOrdinal(a.Code, b.Code) is var byCode && byCode != 0) ? byCode : string.CompareOrdinal(a.Type, b.Type));
        return new SubscriptionStats(status, pairs, now);
    }

    private static decimal? PriceOf(Tick? tick)
    {
        try { return tick?.Price; }
        catch (Exception) { return null; }          // a field the decoder cannot read: no price rather than no answer
    }
}
