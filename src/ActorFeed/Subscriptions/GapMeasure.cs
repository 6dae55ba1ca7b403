using ActorFeed.Kiwoom;
using ActorFeed.Messages;

namespace ActorFeed.Subscriptions;

/// <summary>
/// Builds the <see cref="SubscriptionGap"/> of one pair from the last tick before an interruption and the first tick
/// after it. Pure: no clock, no state.
/// </summary>
internal static class GapMeasure
{
    /// <summary>
    /// The gap notice: <see cref="SubscriptionGap.From"/> = the last tick's receive time (or <paramref name="silentSince"/>
    /// when no tick came before), <see cref="SubscriptionGap.To"/> = the first tick's, and the missed volume.
    /// </summary>
    public static SubscriptionGap Between(Tick? lastBefore, Tick firstAfter, DateTimeOffset silentSince, string cause) =>
        new(firstAfter.Code, firstAfter.Type, lastBefore?.ReceivedAt ?? silentSince, firstAfter.ReceivedAt, cause,
            MissedVolume(lastBefore, firstAfter));

    /// <summary>
    /// Volume traded between the two ticks of a 0B pair: field 13 after - field 13 before - |field 15 after|. Null
    /// when unknown (see <see cref="SubscriptionGap.MissedVolume"/>).
    /// </summary>
    public static long? MissedVolume(Tick? lastBefore, Tick firstAfter) =>
        lastBefore is null || firstAfter.Type != RealTypes.StockTrade || lastBefore.Type != RealTypes.StockTrade
            ? null
            : MissedVolume(lastBefore.CumulativeVolume, firstAfter.CumulativeVolume, firstAfter.TradeVolume);

    /// <summary>The same from the three fields, for a caller that keeps numbers rather than ticks.</summary>
    public static long? MissedVolume(long? cumulativeBefore, long? cumulativeAfter, long? tradeVolumeAfter)
    {
        if (cumulativeBefore is not { } before || cumulativeAfter is not { } after || tradeVolumeAfter is not { } trade) return null;
        if (before < 0 || after < 0 || trade == long.MinValue) return null;        // nonsense from the wire: unknown
        var missed = after - before - Math.Abs(trade);
        return missed >= 0 ? missed : null;
    }
}
