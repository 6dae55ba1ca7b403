namespace ActorFeed.Supervision;

/// <summary>How supervision treats a failure.</summary>
public enum FailureKind
{
    /// <summary>Restart with the normal exponential backoff (network, server close, keepalive, rate limit, 5xx).</summary>
    Transient,
    /// <summary>Needs a person (bad credentials, duplicate session): restart after the long permanent-failure backoff, logged as an error.</summary>
    Permanent,
}
