namespace ActorFeed.Supervision;

/// <summary>
/// Published on the EventStream (and logged) each time a supervised component failed and a restart was scheduled.
/// One exception: the data watchdog's first step (cause "no data", <see cref="Attempt"/> 0, <see cref="Delay"/> zero)
/// is published by the connection itself when it registers its confirmed items again on the same link; no restart is
/// scheduled then. Only if the data still does not come does a restart follow, with a decision of attempt 1 or more.
/// </summary>
/// <param name="Component">Which part failed: the token or the connection.</param>
/// <param name="Cause">Short cause, e.g. "keepalive timeout".</param>
/// <param name="Kind">Transient (normal backoff) or permanent (long backoff).</param>
/// <param name="Attempt">Restart attempt since the last reset (1 = first restart); 0 = no restart (the data watchdog registered again).</param>
/// <param name="Delay">Delay before the restart.</param>
/// <param name="RestartAt">When the restart is due.</param>
/// <param name="Detail">Exception message with secrets removed.</param>
public sealed record SupervisionDecision(
    FeedComponent Component, string Cause, FailureKind Kind, int Attempt, TimeSpan Delay, DateTimeOffset RestartAt, string Detail);
