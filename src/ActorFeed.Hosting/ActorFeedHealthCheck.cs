using Akka.Actor;
using Akka.Hosting;
using ActorFeed.Messages;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ActorFeed.Hosting;

/// <summary>
/// Healthy while connected, every desired subscription confirmed and the link steady. Degraded while authenticating,
/// connecting or reconnecting; while the link is flapping (<see cref="FeedStatus.FlappingSince"/>: at least
/// <c>actorfeed.health.flapping-drops</c> drops within <c>actorfeed.health.flapping-window</c>, connected or not);
/// and while fewer subscriptions have been confirmed than are desired for at least
/// <see cref="ActorFeedOptions.UnconfirmedAfter"/>; and while connected with stale codes (<see cref="FeedStatus.StaleCodes"/>:
/// silent for much longer than their own pace while the market calendar expects data), listed. Unhealthy on a permanent failure (bad credentials, duplicate
/// session), once the feed has been down, or flapping, for longer than <see cref="ActorFeedOptions.UnhealthyAfter"/>,
/// or when the feed does not answer.
/// </summary>
/// <param name="feed">The feed registered by AddActorFeed.</param>
/// <param name="options">Gives <see cref="ActorFeedOptions.UnhealthyAfter"/> and <see cref="ActorFeedOptions.UnconfirmedAfter"/>.</param>
/// <param name="time">Clock for the durations; null for the system clock. Use the feed's clock (the <see cref="TimeProvider"/> in DI).</param>
public sealed class ActorFeedHealthCheck(IRequiredActor<ActorFeedActor> feed, IOptions<ActorFeedOptions> options, TimeProvider? time = null) : IHealthCheck
{
    /// <summary>Name under which the health check is registered: "actorfeed".</summary>
    public const string Name = "actorfeed";

    /// <summary>Asks the feed for its <see cref="FeedStatus"/> (2 s timeout: no answer is Unhealthy) and maps it to a result
    /// whose data carries state, attempt, desired and confirmed subscription counts, recent link drops, and the cause,
    /// flapping and unconfirmed times and stale codes if any.</summary>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        FeedStatus status;
        try
        {
            status = await feed.ActorRef.Ask<FeedStatus>(GetFeedStatus.Instance, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return HealthCheckResult.Unhealthy("the feed did not answer its status");
        }
        var data = new Dictionary<string, object>
        {
            ["state"] = status.State.ToString(),
            ["attempt"] = status.Attempt,
            ["desired"] = status.DesiredSubscriptions,
            ["confirmed"] = status.ConfirmedSubscriptions,
            ["recentDrops"] = status.RecentDrops,
        };
        if (status.Cause is not null) data["cause"] = status.Cause;
        if (status.FlappingSince is { } flappingSince) data["flappingSince"] = flappingSince;
        if (status.UnconfirmedSince is { } unconfirmedSince) data["unconfirmedSince"] = unconfirmedSince;
        if (status.StaleCodes.Count > 0) data["staleCodes"] = status.StaleCodes;

        var o = options.Value;
        var now = (time ?? TimeProvider.System).GetUtcNow();
        if (status.IsPermanentFailure) return HealthCheckResult.Unhealthy($"permanent failure: {status.Cause}", data: data);
        var connected = status.State == FeedState.Connected;
        var down = connected ? TimeSpan.Zero : now - (status.DownSince ?? now);
        if (!connected && down >= o.UnhealthyAfter)
            return HealthCheckResult.Unhealthy($"down for {down:g}: {status.Cause ?? status.State.ToString()}", data: data);
        var flapping = status.FlappingSince is { } since ? now - since : (TimeSpan?)null;
        if (flapping >= o.UnhealthyAfter)
            return HealthCheckResult.Unhealthy($"flapping for {flapping:g}: {Drops(status)}", data: data);
        if (!connected)
            return HealthCheckResult.Degraded($"{status.State}{(status.Cause is null ? "" : ": " + status.Cause)}", data: data);
        if (flapping is not null)
            return HealthCheckResult.Degraded($"flapping: {Drops(status)}", data: data);
        if (status.UnconfirmedSince is { } unconfirmed && now - unconfirmed >= o.UnconfirmedAfter)
            return HealthCheckResult.Degraded(
                $"{status.ConfirmedSubscriptions} of {status.DesiredSubscriptions} subscriptions confirmed, for {now - unconfirmed:g}", data: data);
        if (status.StaleCodes.Count > 0)
            return HealthCheckResult.Degraded($"{status.StaleCodes.Count} stale code(s): {Listed(status.StaleCodes)}", data: data);
        return HealthCheckResult.Healthy("connected", data);
    }

    private static string Listed(IReadOnlyList<string> codes, int max = 10) =>
        string.Join(", ", codes.Take(max)) + (codes.Count > max ? $" and {codes.Count - max} more" : "");

    private static string Drops(FeedStatus s) => $"{s.RecentDrops} link drops recently{(s.Cause is null ? "" : ", last: " + s.Cause)}";
}
