namespace ActorFeed.Supervision;

/// <summary>
/// Restart delays: <c>min * 2^(attempt-1)</c> capped at <c>max</c>, multiplied by a random factor in
/// <c>[1, 1 + randomFactor]</c> so that many clients do not reconnect in lock-step; permanent failures wait
/// <c>permanentDelay</c>.
/// </summary>
internal sealed record BackoffPolicy(TimeSpan Min, TimeSpan Max, double RandomFactor, TimeSpan PermanentDelay)
{
    public TimeSpan DelayFor(int attempt, FailureKind kind, double random01)
    {
        if (kind == FailureKind.Permanent) return PermanentDelay;
        var exponent = Math.Min(Math.Max(attempt - 1, 0), 30);
        var capped = Math.Min(Max.Ticks, Min.Ticks * Math.Pow(2, exponent));
        return TimeSpan.FromTicks((long)(capped * (1 + random01 * RandomFactor)));
    }
}
