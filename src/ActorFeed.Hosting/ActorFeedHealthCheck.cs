using Akka.Actor;
using Akka.Hosting;
using ActorFeed.Messages;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ActorFeed.Hosting;

/// <summary>
/// Healthy while connected; Degraded while authenticating, connecting or reconnecting; Unhealthy on a permanent
/// failure (bad credentials, duplicate session) or once the feed has been down longer than
/// <see cref="ActorFeedOptions.UnhealthyAfter"/>.
/// </summary>
/// <param name="feed">The feed registered by AddActorFeed.</param>
/// <param name="options">Gives <see cref="ActorFeedOptions.UnhealthyAfter"/>.</param>
/// <param name="time">Clock for the time down; null for the system clock.</param>
public sealed class ActorFeedHealthCheck(IRequiredActor<ActorFeedActor> feed, IOptions<ActorFeedOptions> options, TimeProvider? time = null) : IHealthCheck
{
    /// <summary>Name under which the health check is registered: "actorfeed".</summary>
    public const string Name = "actorfeed";

    /// <summary>Asks the feed for its <see cref="FeedStatus"/> (2 s timeout: no answer is Unhealthy) and maps it to a result
    /// whose data carries state, attempt, desired and confirmed subscription counts, and the cause if any.</summary>
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
        };
        if (status.Cause is not null) data["cause"] = status.Cause;
        if (status.State == FeedState.Connected) return HealthCheckResult.Healthy("connected", data);
        if (status.IsPermanentFailure) return HealthCheckResult.Unhealthy($"permanent failure: {status.Cause}", data: data);
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var down = now - (status.DownSince ?? now);
        return down >= options.Value.UnhealthyAfter
            ? HealthCheckResult.Unhealthy($"down for {down:g}: {status.Cause ?? status.State.ToString()}", data: data)
            : HealthCheckResult.Degraded($"{status.State}{(status.Cause is null ? "" : ": " + status.Cause)}", data: data);
    }
}
