using ActorFeed.Settings;

namespace ActorFeed.Testing;

/// <summary>Timing presets for tests. Credentials are fixed test values that log lines are checked against.</summary>
public static class TestSettings
{
    /// <summary>The app key of every preset.</summary>
    public const string AppKey = "APPKEY-0123456789-abcdefghij";

    /// <summary>The secret key of every preset.</summary>
    public const string SecretKey = "SECRET-9876543210-zyxwvutsrq";

    /// <summary>
    /// For specs on fakes under virtual time: round numbers that make delays easy to assert (backoff 1 s doubling to
    /// 8 s, no jitter; token backoff 2 s; idle timeout 60 s). REG / REMOVE are unpaced (max-requests-per-second 0), so a
    /// spec answers request after request without moving time; the pacing spec sets it.
    /// </summary>
    public static ActorFeedSettings VirtualTime { get; } = ActorFeedSettings.Default with
    {
        AppKey = AppKey,
        SecretKey = SecretKey,
        BackoffRandomFactor = 0,
        BackoffMin = TimeSpan.FromSeconds(1),
        BackoffMax = TimeSpan.FromSeconds(8),
        BackoffResetAfter = TimeSpan.FromSeconds(30),
        PermanentFailureBackoff = TimeSpan.FromMinutes(5),
        TokenBackoffMin = TimeSpan.FromSeconds(2),
        TokenBackoffMax = TimeSpan.FromSeconds(60),
        IdleTimeout = TimeSpan.FromSeconds(60),
        MaxItemsPerRequest = 100,
        MaxRequestsPerSecond = 0,
        MarketCalendar = "always",                 // results must not depend on the hour the tests run at
        DataTimeout = TimeSpan.Zero,               // the data watchdog is tested where it is turned on
    };

    /// <summary>
    /// For real sockets on loopback: fast recovery (backoff 50-400 ms) but generous detection timeouts (pong 5 s,
    /// idle 10 s, connect / LOGIN / request 5 s), so a stall of a loaded CI machine never looks like a dead link.
    /// A test of one detection mechanism shortens that one timeout and turns the others off or up.
    /// </summary>
    public static ActorFeedSettings Loopback(Uri restBaseUrl, Uri webSocketUrl) => ActorFeedSettings.Default with
    {
        AppKey = AppKey,
        SecretKey = SecretKey,
        RestBaseUrl = restBaseUrl,
        WebSocketUrl = webSocketUrl,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        LoginTimeout = TimeSpan.FromSeconds(5),
        RequestTimeout = TimeSpan.FromSeconds(5),
        KeepAliveInterval = TimeSpan.FromSeconds(1),
        KeepAliveTimeout = TimeSpan.FromSeconds(5),
        IdleTimeout = TimeSpan.FromSeconds(10),
        BackoffMin = TimeSpan.FromMilliseconds(50),
        BackoffMax = TimeSpan.FromMilliseconds(400),
        BackoffRandomFactor = 0.2,
        BackoffResetAfter = TimeSpan.FromSeconds(1),
        PermanentFailureBackoff = TimeSpan.FromSeconds(2),
        TokenBackoffMin = TimeSpan.FromMilliseconds(50),
        TokenBackoffMax = TimeSpan.FromMilliseconds(400),
        ShutdownTimeout = TimeSpan.FromSeconds(2),
        MarketCalendar = "always",                 // results must not depend on the hour the tests run at
        DataTimeout = TimeSpan.Zero,               // the data watchdog is tested where it is turned on
    };
}
