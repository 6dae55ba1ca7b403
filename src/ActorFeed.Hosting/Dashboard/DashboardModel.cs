namespace ActorFeed.Hosting.Dashboard;

// What GET {pattern}/status answers and the events of GET {pattern}/events carry, serialized with the web defaults
// (camelCase). Plain values only: no secret, no actor ref. Times are ISO 8601 UTC.

/// <summary>The whole page: the feed's status, every pair, the timeline, the connection's history, the conditions.</summary>
internal sealed record DashboardSnapshot(
    DateTimeOffset ServerTime,
    DashboardState Status,
    DashboardSubscriptions Subscriptions,
    IReadOnlyList<DashboardPair> Codes,
    IReadOnlyList<DashboardDecision> Timeline,
    DashboardConnection Connection,
    IReadOnlyList<DashboardCondition> Conditions);

/// <summary>The banner: <see cref="Messages.FeedStatus"/> without the subscription counts.</summary>
internal sealed record DashboardState(
    string State,
    string? Cause,
    int Attempt,
    DateTimeOffset? NextRetryAt,
    DateTimeOffset? ConnectedSince,
    DateTimeOffset? DownSince,
    bool IsPermanentFailure,
    int RecentDrops,
    DateTimeOffset? FlappingSince,
    IReadOnlyList<string> StaleCodes);

/// <summary>Desired and confirmed code/type pairs (<see cref="Messages.FeedStatus"/>).</summary>
internal sealed record DashboardSubscriptions(int Desired, int Confirmed, DateTimeOffset? UnconfirmedSince);

/// <summary>
/// One code/type pair. <see cref="Rates"/>: ticks per second, one value per sample (about 1 s apart), oldest first, at
/// most <see cref="DashboardCollector.RateSamples"/>. <see cref="Staleness"/>: <c>ok</c>, <c>stale</c> (silent much
/// longer than its own pace while the calendar expects data: the code is in <c>staleCodes</c>), <c>closed</c> (the
/// calendar expects no data now: silence is normal), <c>learning</c> (pace not learned yet), <c>waiting</c> (not
/// confirmed on the current connection).
/// </summary>
internal sealed record DashboardPair(
    string Code,
    string Type,
    bool Confirmed,
    DateTimeOffset? LastTickAt,
    decimal? LastPrice,
    long Ticks,
    double? RatePerSecond,
    IReadOnlyList<double> Rates,
    double? SilentSeconds,
    double? StaleAfterSeconds,
    string Staleness,
    string Session,
    int Gaps,
    DashboardGap? LastGap);

/// <summary>The last gap notice of a pair (<see cref="Messages.SubscriptionGap"/>).</summary>
internal sealed record DashboardGap(DateTimeOffset From, DateTimeOffset To, string Cause, long? MissedVolume);

/// <summary>One supervision decision (<see cref="Supervision.SupervisionDecision"/>), detail already without secrets.</summary>
internal sealed record DashboardDecision(
    DateTimeOffset At, string Component, string Cause, string Kind, int Attempt, double DelaySeconds, DateTimeOffset RestartAt, string Detail);

/// <summary>The link's history since the host started: restarts scheduled, and each recovery (down, then connected again).</summary>
internal sealed record DashboardConnection(long Restarts, long Recoveries, double? LastRecoverySeconds, IReadOnlyList<DashboardRecovery> RecentRecoveries);

/// <summary>One recovery: the feed lost its connection at <see cref="DownAt"/> (cause, restarts in between) and was connected again at <see cref="UpAt"/>.</summary>
internal sealed record DashboardRecovery(DateTimeOffset DownAt, DateTimeOffset UpAt, double Seconds, string? Cause, int Attempts);

/// <summary>
/// One condition search (조건검색) the feed follows (<see cref="Messages.FollowedCondition"/>). <see cref="State"/>: <c>live</c>
/// (its member list came on this connection, changes arrive in real time), <c>waiting</c> (no connection), <c>requesting</c>
/// (its first member list is asked), <c>recovering</c> (asked again after a reconnection: what changed meanwhile follows),
/// <c>retrying</c> (its last request failed: <see cref="LastError"/>, asked again at <see cref="NextRetryAt"/>).
/// <see cref="MemberCodes"/>: the first <see cref="DashboardCollector.MembersShown"/> of the <see cref="Members"/> codes.
/// </summary>
internal sealed record DashboardCondition(
    int Seq,
    string Name,
    string State,
    int Members,
    IReadOnlyList<string> MemberCodes,
    int Subscribers,
    IReadOnlyList<string> TickTypes,
    DashboardConditionChange? LastChange,
    long Changes,
    long RecoveredChanges,
    string? LastError,
    DateTimeOffset? NextRetryAt);


/// <summary>The last membership change of a condition: <see cref="Change"/> is <c>entered</c> or <c>left</c>.</summary>
internal sealed record DashboardConditionChange(DateTimeOffset At, string Code, string Change, bool Recovered);
