using System.Reflection;
using ActorFeed.Settings;

namespace ActorFeed.Hosting;

/// <summary>
/// Options bound from the configuration section <c>ActorFeed</c> (appsettings.json, environment
/// <c>ActorFeed__AppKey</c>, command line <c>--ActorFeed:AppKey=</c>). Every non-null property overrides the
/// HOCON value of the same setting (see <see cref="HoconKeys"/>); null keeps the HOCON / reference default.
/// Durations bind from "hh:mm:ss[.fff]" strings, e.g. "00:00:30".
/// </summary>
public sealed class ActorFeedOptions
{
    public const string SectionName = "ActorFeed";

    public string? AppKey { get; set; }
    public string? SecretKey { get; set; }
    public Uri? RestBaseUrl { get; set; }
    public Uri? WebSocketUrl { get; set; }
    public TimeSpan? TokenRefreshBeforeExpiry { get; set; }
    public TimeSpan? TokenRequestTimeout { get; set; }
    public TimeSpan? TokenBackoffMin { get; set; }
    public TimeSpan? TokenBackoffMax { get; set; }
    public TimeSpan? ConnectTimeout { get; set; }
    public TimeSpan? LoginTimeout { get; set; }
    public TimeSpan? KeepAliveInterval { get; set; }
    public TimeSpan? KeepAliveTimeout { get; set; }
    public TimeSpan? IdleTimeout { get; set; }
    public TimeSpan? RequestTimeout { get; set; }
    public int? MaxFrameBytes { get; set; }
    public TimeSpan? BackoffMin { get; set; }
    public TimeSpan? BackoffMax { get; set; }
    public double? BackoffRandomFactor { get; set; }
    public TimeSpan? BackoffResetAfter { get; set; }
    public TimeSpan? PermanentFailureBackoff { get; set; }
    public string? SubscriptionGroup { get; set; }
    public int? MaxItemsPerRequest { get; set; }
    public TimeSpan? ReplayBatchInterval { get; set; }
    public TimeSpan? ShutdownTimeout { get; set; }

    /// <summary>The health check reports Unhealthy once the feed has been down this long (Degraded before). Not a feed setting.</summary>
    public TimeSpan UnhealthyAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Option name to HOCON key.</summary>
    public static IReadOnlyDictionary<string, string> HoconKeys { get; } = new Dictionary<string, string>
    {
        [nameof(AppKey)] = "actorfeed.app-key",
        [nameof(SecretKey)] = "actorfeed.secret-key",
        [nameof(RestBaseUrl)] = "actorfeed.rest-base-url",
        [nameof(WebSocketUrl)] = "actorfeed.websocket-url",
        [nameof(TokenRefreshBeforeExpiry)] = "actorfeed.token.refresh-before-expiry",
        [nameof(TokenRequestTimeout)] = "actorfeed.token.request-timeout",
        [nameof(TokenBackoffMin)] = "actorfeed.token.backoff-min",
        [nameof(TokenBackoffMax)] = "actorfeed.token.backoff-max",
        [nameof(ConnectTimeout)] = "actorfeed.connection.connect-timeout",
        [nameof(LoginTimeout)] = "actorfeed.connection.login-timeout",
        [nameof(KeepAliveInterval)] = "actorfeed.connection.keepalive-interval",
        [nameof(KeepAliveTimeout)] = "actorfeed.connection.keepalive-timeout",
        [nameof(IdleTimeout)] = "actorfeed.connection.idle-timeout",
        [nameof(RequestTimeout)] = "actorfeed.connection.request-timeout",
        [nameof(MaxFrameBytes)] = "actorfeed.connection.max-frame-bytes",
        [nameof(BackoffMin)] = "actorfeed.backoff.min",
        [nameof(BackoffMax)] = "actorfeed.backoff.max",
        [nameof(BackoffRandomFactor)] = "actorfeed.backoff.random-factor",
        [nameof(BackoffResetAfter)] = "actorfeed.backoff.reset-after",
        [nameof(PermanentFailureBackoff)] = "actorfeed.backoff.permanent-failure",
        [nameof(SubscriptionGroup)] = "actorfeed.subscription.group",
        [nameof(MaxItemsPerRequest)] = "actorfeed.subscription.max-items-per-request",
        [nameof(ReplayBatchInterval)] = "actorfeed.subscription.replay-batch-interval",
        [nameof(ShutdownTimeout)] = "actorfeed.shutdown.timeout",
    };

    /// <summary>
    /// <paramref name="baseline"/> (HOCON, or the reference defaults) with every non-null option applied, validated.
    /// Throws <see cref="ActorFeedSettingException"/> naming the option (ActorFeed:Key) and its HOCON key.
    /// </summary>
    public ActorFeedSettings ToSettings(ActorFeedSettings? baseline = null)
    {
        var settings = (baseline ?? ActorFeedSettings.Default) with { };
        foreach (var (name, _) in HoconKeys)
        {
            var value = typeof(ActorFeedOptions).GetProperty(name)!.GetValue(this);
            if (value is not null) typeof(ActorFeedSettings).GetProperty(name, BindingFlags.Public | BindingFlags.Instance)!.SetValue(settings, value);
        }
        try
        {
            settings.Validate();
        }
        catch (ActorFeedSettingException e)
        {
            var option = HoconKeys.FirstOrDefault(kv => kv.Value == e.Key).Key;
            if (option is null) throw;
            throw new ActorFeedSettingException($"{SectionName}:{option}", $"{e.Problem} (HOCON {e.Key})", e);
        }
        return settings;
    }

    public ActorFeedOptions Clone() => (ActorFeedOptions)MemberwiseClone();
}
