namespace ActorFeed.Messages;

/// <summary>A snapshot of the feed, answer to <see cref="GetFeedStatus"/> and carried by <see cref="FeedStatusChanged"/>.</summary>
/// <param name="State">Current state.</param>
/// <param name="Cause">Why the feed left <see cref="FeedState.Connected"/> (e.g. "keepalive timeout", "token rejected"); null when healthy.</param>
/// <param name="Attempt">Restart attempt of the failing component since the last healthy period; 0 when healthy.</param>
/// <param name="NextRetryAt">When the next restart is due, if one is scheduled.</param>
/// <param name="ConnectedSince">When the current connection logged in.</param>
/// <param name="DesiredSubscriptions">Code/type pairs the feed wants.</param>
/// <param name="ConfirmedSubscriptions">Code/type pairs the server confirmed on the current connection.</param>
/// <param name="IsPermanentFailure">True while the failure needs a person (bad credentials, duplicate session).</param>
/// <param name="DownSince">When the feed last lost (or never had) a logged-in connection; null while connected.</param>
/// <param name="RecentDrops">Link drops (connection failures) within <c>actorfeed.health.flapping-window</c> before the snapshot.</param>
/// <param name="FlappingSince">Since when the link has been flapping without a pause: at least
/// <c>actorfeed.health.flapping-drops</c> drops within the window, continuously; null when it is not flapping.
/// A link that drops right after every LOGIN is connected now and then, but flapping all along.</param>
/// <param name="UnconfirmedSince">Since when fewer pairs have been confirmed than are desired, without a pause (across
/// reconnects); null when every desired pair is confirmed (or none is desired).</param>
public sealed record FeedStatus(
    FeedState State,
    string? Cause,
    int Attempt,
    DateTimeOffset? NextRetryAt,
    DateTimeOffset? ConnectedSince,
    int DesiredSubscriptions,
    int ConfirmedSubscriptions,
    bool IsPermanentFailure,
    DateTimeOffset? DownSince = null,
    int RecentDrops = 0,
    DateTimeOffset? FlappingSince = null,
    DateTimeOffset? UnconfirmedSince = null)
{
    /// <summary>
    /// Codes silent for much longer than their own usual pace (learned from their recent ticks of market-data types: an
    /// event type such as 1h (VI) or 0s neither ends the silence nor teaches the pace; never sooner than
    /// <c>actorfeed.subscription.stale-floor</c>) while connected and while the market calendar expects their data;
    /// sorted, empty when none (and while not connected). A code whose pace is not learned yet is never listed.
    /// </summary>
    public IReadOnlyList<string> StaleCodes { get; init; } = [];
}
