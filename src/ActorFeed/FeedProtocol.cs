namespace ActorFeed;

/// <summary>Messages to the FeedSupervisor that are not part of the subscriber-facing API.</summary>
internal static class FeedProtocol
{
    /// <summary>Graceful stop: REMOVE everything, close the socket with 1000, revoke the token, stop.
    /// Answered with <see cref="Stopped"/>. Run by CoordinatedShutdown.</summary>
    public sealed class Stop
    {
        public static readonly Stop Instance = new();
        private Stop() { }
    }

    public sealed class Stopped
    {
        public static readonly Stopped Instance = new();
        private Stopped() { }
    }

    /// <summary>
    /// The dashboard's question (ActorFeed.Hosting, sampled about once a second while someone watches): the status, as
    /// <see cref="Messages.GetFeedStatus"/> answers it, and a reading of every subscribed pair. Answered with <see cref="PairStats"/>.
    /// </summary>
    public sealed class GetPairStats
    {
        public static readonly GetPairStats Instance = new();
        private GetPairStats() { }
    }

    /// <summary>The answer to <see cref="GetPairStats"/>: both taken at <paramref name="At"/> (the feed's clock).</summary>
    public sealed record PairStats(Messages.FeedStatus Status, IReadOnlyList<PairStat> Pairs, DateTimeOffset At);

    /// <summary>
    /// One code/type pair: <paramref name="Ticks"/> delivered since it was subscribed (the dashboard derives the rate),
    /// the last tick, the gap notices sent and the last one, the code's silence as staleness measures it (since its
    /// last tick of any type, or since it was confirmed again after an interruption), after how much silence
    /// the code counts as stale (its learned pace; null while unknown), whether it is stale now (the same judgement as
    /// <see cref="Messages.FeedStatus.StaleCodes"/>), and what the market calendar says about the code now.
    /// </summary>
    public sealed record PairStat(string Code, string Type, bool Confirmed, long Ticks, Messages.Tick? Last, int Gaps,
        Messages.SubscriptionGap? LastGap, TimeSpan? Silent, TimeSpan? StaleAfter, bool Stale, string Session, bool ExpectsData);
}
