using Akka.Configuration;

namespace ActorFeed.Settings;

/// <summary>
/// Every timing and limit of the feed. Built from the <c>actorfeed { }</c> HOCON section
/// (<see cref="FromConfig"/>), whose commented defaults ship embedded (see hocon/actorfeed.conf).
/// </summary>
public sealed record ActorFeedSettings
{
    public string AppKey { get; init; } = "";
    public string SecretKey { get; init; } = "";
    public Uri RestBaseUrl { get; init; } = new("https://mockapi.kiwoom.com");
    public Uri WebSocketUrl { get; init; } = new("wss://mockapi.kiwoom.com:10000/api/dostk/websocket");

    public TimeSpan TokenRefreshBeforeExpiry { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan TokenRequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan TokenBackoffMin { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan TokenBackoffMax { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan LoginTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(20);
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public int MaxFrameBytes { get; init; } = 4 * 1024 * 1024;

    public TimeSpan BackoffMin { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(30);
    public double BackoffRandomFactor { get; init; } = 0.2;
    public TimeSpan BackoffResetAfter { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan PermanentFailureBackoff { get; init; } = TimeSpan.FromMinutes(5);

    public string SubscriptionGroup { get; init; } = "1";
    public int MaxItemsPerRequest { get; init; } = 100;
    public TimeSpan ReplayBatchInterval { get; init; } = TimeSpan.Zero;

    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The reference configuration embedded in this assembly (hocon/actorfeed.conf).</summary>
    public static Config ReferenceConfig { get; } = LoadReference();

    /// <summary>Settings from the defaults alone.</summary>
    public static ActorFeedSettings Default { get; } = FromConfig(ReferenceConfig);

    /// <summary>
    /// Reads <c>actorfeed { }</c> from <paramref name="config"/>, falling back to the embedded reference.
    /// Throws <see cref="ActorFeedSettingException"/> naming the key of an invalid value.
    /// </summary>
    public static ActorFeedSettings FromConfig(Config? config)
    {
        var merged = config is null || config.IsEmpty || ReferenceEquals(config, ReferenceConfig) ? ReferenceConfig : config.WithFallback(ReferenceConfig);
        var c = merged.GetConfig("actorfeed");
        var settings = new ActorFeedSettings
        {
            AppKey = c.GetString("app-key", ""),
            SecretKey = c.GetString("secret-key", ""),
            RestBaseUrl = ParseUri(c, "rest-base-url"),
            WebSocketUrl = ParseUri(c, "websocket-url"),
            TokenRefreshBeforeExpiry = c.GetTimeSpan("token.refresh-before-expiry"),
            TokenRequestTimeout = c.GetTimeSpan("token.request-timeout"),
            TokenBackoffMin = c.GetTimeSpan("token.backoff-min"),
            TokenBackoffMax = c.GetTimeSpan("token.backoff-max"),
            ConnectTimeout = c.GetTimeSpan("connection.connect-timeout"),
            LoginTimeout = c.GetTimeSpan("connection.login-timeout"),
            KeepAliveInterval = c.GetTimeSpan("connection.keepalive-interval"),
            KeepAliveTimeout = c.GetTimeSpan("connection.keepalive-timeout"),
            IdleTimeout = c.GetTimeSpan("connection.idle-timeout"),
            RequestTimeout = c.GetTimeSpan("connection.request-timeout"),
            MaxFrameBytes = c.GetInt("connection.max-frame-bytes"),
            BackoffMin = c.GetTimeSpan("backoff.min"),
            BackoffMax = c.GetTimeSpan("backoff.max"),
            BackoffRandomFactor = c.GetDouble("backoff.random-factor"),
            BackoffResetAfter = c.GetTimeSpan("backoff.reset-after"),
            PermanentFailureBackoff = c.GetTimeSpan("backoff.permanent-failure"),
            SubscriptionGroup = c.GetString("subscription.group"),
            MaxItemsPerRequest = c.GetInt("subscription.max-items-per-request"),
            ReplayBatchInterval = c.GetTimeSpan("subscription.replay-batch-interval"),
            ShutdownTimeout = c.GetTimeSpan("shutdown.timeout"),
        };
        settings.Validate();
        return settings;
    }

    /// <summary>Throws <see cref="ActorFeedSettingException"/> naming the first invalid HOCON key.</summary>
    public void Validate()
    {
        Check(RestBaseUrl.Scheme is "http" or "https", "actorfeed.rest-base-url", $"must be an http or https URL, was '{RestBaseUrl}'");
        Check(WebSocketUrl.Scheme is "ws" or "wss", "actorfeed.websocket-url", $"must be a ws or wss URL, was '{WebSocketUrl}'");
        Positive(TokenRequestTimeout, "actorfeed.token.request-timeout");
        Check(TokenRefreshBeforeExpiry >= TimeSpan.Zero, "actorfeed.token.refresh-before-expiry", "must not be negative");
        Positive(TokenBackoffMin, "actorfeed.token.backoff-min");
        Check(TokenBackoffMax >= TokenBackoffMin, "actorfeed.token.backoff-max", "must be at least actorfeed.token.backoff-min");
        Positive(ConnectTimeout, "actorfeed.connection.connect-timeout");
        Positive(LoginTimeout, "actorfeed.connection.login-timeout");
        Check(KeepAliveInterval >= TimeSpan.Zero, "actorfeed.connection.keepalive-interval", "must not be negative (0s turns protocol pings off)");
        Positive(KeepAliveTimeout, "actorfeed.connection.keepalive-timeout");
        Positive(IdleTimeout, "actorfeed.connection.idle-timeout");
        Positive(RequestTimeout, "actorfeed.connection.request-timeout");
        Check(MaxFrameBytes >= 1024, "actorfeed.connection.max-frame-bytes", "must be at least 1024");
        Positive(BackoffMin, "actorfeed.backoff.min");
        Check(BackoffMax >= BackoffMin, "actorfeed.backoff.max", "must be at least actorfeed.backoff.min");
        Check(BackoffRandomFactor is >= 0 and <= 1, "actorfeed.backoff.random-factor", "must be between 0 and 1");
        Check(BackoffResetAfter >= TimeSpan.Zero, "actorfeed.backoff.reset-after", "must not be negative");
        Positive(PermanentFailureBackoff, "actorfeed.backoff.permanent-failure");
        Check(SubscriptionGroup.Length is >= 1 and <= 4, "actorfeed.subscription.group", "must be 1 to 4 characters");
        Check(MaxItemsPerRequest >= 1, "actorfeed.subscription.max-items-per-request", "must be at least 1");
        Check(ReplayBatchInterval >= TimeSpan.Zero, "actorfeed.subscription.replay-batch-interval", "must not be negative");
        Positive(ShutdownTimeout, "actorfeed.shutdown.timeout");
    }

    /// <summary>True when both the app key and the secret key are set.</summary>
    public bool HasCredentials => AppKey.Length > 0 && SecretKey.Length > 0;

    /// <summary>Redacts credentials so that a settings dump can be logged.</summary>
    public override string ToString() =>
        $"ActorFeedSettings {{ AppKey = {Redact.Secret(AppKey)}, SecretKey = {Redact.Secret(SecretKey)}, RestBaseUrl = {RestBaseUrl}, WebSocketUrl = {WebSocketUrl} }}";

    private static void Positive(TimeSpan value, string key) => Check(value > TimeSpan.Zero, key, $"must be greater than zero, was {value}");

    private static void Check(bool ok, string key, string message)
    {
        if (!ok) throw new ActorFeedSettingException(key, message);
    }

    private static Uri ParseUri(Config c, string key)
    {
        var text = c.GetString(key, "");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
            throw new ActorFeedSettingException("actorfeed." + key, $"'{text}' is not an absolute URL");
        return uri;
    }

    private static Config LoadReference()
    {
        using var stream = typeof(ActorFeedSettings).Assembly.GetManifestResourceStream("ActorFeed.actorfeed.conf")
            ?? throw new InvalidOperationException("The embedded reference configuration ActorFeed.actorfeed.conf is missing.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
