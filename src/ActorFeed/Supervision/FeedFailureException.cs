namespace ActorFeed.Supervision;

/// <summary>
/// Thrown inside an actor to make its backoff supervisor restart it. <see cref="Cause"/> is the short reason
/// users see in logs and <see cref="Messages.FeedStatus.Cause"/>: "keepalive timeout", "token rejected", ...
/// Messages never contain secrets.
/// </summary>
internal class FeedFailureException(string cause, FailureKind kind, string? detail = null, Exception? inner = null)
    : Exception(detail is null ? cause : $"{cause}: {detail}", inner)
{
    public string Cause { get; } = cause;
    public FailureKind Kind { get; } = kind;

    public static class Causes
    {
        public const string ConnectionLost = "connection lost";
        public const string ServerClosed = "server closed the connection";
        public const string ConnectTimeout = "connect timeout";
        public const string KeepAliveTimeout = "keepalive timeout";
        public const string LoginTimeout = "login timeout";
        public const string LoginRejected = "login rejected";
        public const string TokenRejected = "token rejected";
        /// <summary>LOGIN refused the token again right after a new one was issued: permanent.</summary>
        public const string TokenRefused = "token refused";
        public const string RequestTimeout = "request timeout";
        public const string RequestFailed = "request failed";
        public const string DuplicateSession = "another process uses this app key";
        public const string BadCredentials = "bad credentials";
        public const string TokenService = "token service unavailable";
        public const string RateLimited = "rate limited";
        /// <summary>No REAL frame for data-timeout while data was expected, twice (the re-registration in between did not help).</summary>
        public const string NoData = "no data";
    }
}
