using Akka.Configuration;

namespace ActorFeed.Settings;

/// <summary>
/// Every timing and limit of the feed. Built from the <c>actorfeed { }</c> HOCON section
/// (<see cref="FromConfig"/>), whose commented defaults ship embedded (see hocon/actorfeed.conf).
/// </summary>
public sealed record ActorFeedSettings
{
    /// <summary>The Kiwoom app key. Never logged: logs and exception messages show it redacted.</summary>
    /// <value>Defaults to an empty string (no credentials); HOCON <c>actorfeed.app-key</c>.</value>
    public string AppKey { get; init; } = SettingDefinitions.AppKey.Default;

    /// <summary>The Kiwoom secret key. Never logged: logs and exception messages show it redacted.</summary>
    /// <value>Defaults to an empty string (no credentials); HOCON <c>actorfeed.secret-key</c>.</value>
    public string SecretKey { get; init; } = SettingDefinitions.SecretKey.Default;

    /// <summary>REST base of <c>/oauth2/token</c> and <c>/oauth2/revoke</c>; production is <c>https://api.kiwoom.com</c>.</summary>
    /// <value>Defaults to <c>https://mockapi.kiwoom.com</c> (the mock server); HOCON <c>actorfeed.rest-base-url</c>.</value>
    public Uri RestBaseUrl { get; init; } = SettingDefinitions.RestBaseUrl.Default;

    /// <summary>The real-time WebSocket endpoint; production is <c>wss://api.kiwoom.com:10000/api/dostk/websocket</c>.</summary>
    /// <value>Defaults to <c>wss://mockapi.kiwoom.com:10000/api/dostk/websocket</c> (the mock server); HOCON <c>actorfeed.websocket-url</c>.</value>
    public Uri WebSocketUrl { get; init; } = SettingDefinitions.WebSocketUrl.Default;

    /// <summary>A new token is issued this long before the current one expires.</summary>
    /// <value>Defaults to 10 minutes; HOCON <c>actorfeed.token.refresh-before-expiry</c>.</value>
    public TimeSpan TokenRefreshBeforeExpiry { get; init; } = SettingDefinitions.TokenRefreshBeforeExpiry.Default;

    /// <summary>Timeout of one REST call to the token endpoint.</summary>
    /// <value>Defaults to 10 seconds; HOCON <c>actorfeed.token.request-timeout</c>.</value>
    public TimeSpan TokenRequestTimeout { get; init; } = SettingDefinitions.TokenRequestTimeout.Default;

    /// <summary>First retry delay of the token actor after a transient failure (5xx, 1700 rate limit).</summary>
    /// <value>Defaults to 1 second; HOCON <c>actorfeed.token.backoff-min</c>.</value>
    public TimeSpan TokenBackoffMin { get; init; } = SettingDefinitions.TokenBackoffMin.Default;

    /// <summary>Longest retry delay of the token actor; at least <see cref="TokenBackoffMin"/>.</summary>
    /// <value>Defaults to 60 seconds; HOCON <c>actorfeed.token.backoff-max</c>.</value>
    public TimeSpan TokenBackoffMax { get; init; } = SettingDefinitions.TokenBackoffMax.Default;

    /// <summary>
    /// Revoke the token when the feed stops (graceful shutdown). Kiwoom hands every process of an app key the SAME
    /// token while it is valid, so revoking it on stop logs out every other program using that app key (their next
    /// LOGIN or REST call fails with a token error): turn it on only when this process is the key's sole user.
    /// </summary>
    /// <value>Defaults to false (the token is left to expire); HOCON <c>actorfeed.token.revoke-on-stop</c>.</value>
    public bool RevokeTokenOnStop { get; init; } = SettingDefinitions.RevokeTokenOnStop.Default;

    /// <summary>Opening the socket (TCP, TLS, upgrade) must finish within this.</summary>
    /// <value>Defaults to 10 seconds; HOCON <c>actorfeed.connection.connect-timeout</c>.</value>
    public TimeSpan ConnectTimeout { get; init; } = SettingDefinitions.ConnectTimeout.Default;

    /// <summary>LOGIN must be answered within this.</summary>
    /// <value>Defaults to 10 seconds; HOCON <c>actorfeed.connection.login-timeout</c>.</value>
    public TimeSpan LoginTimeout { get; init; } = SettingDefinitions.LoginTimeout.Default;

    /// <summary>WebSocket (RFC 6455) ping interval; <see cref="TimeSpan.Zero"/> turns protocol pings off.</summary>
    /// <value>Defaults to 20 seconds; HOCON <c>actorfeed.connection.keepalive-interval</c>.</value>
    public TimeSpan KeepAliveInterval { get; init; } = SettingDefinitions.KeepAliveInterval.Default;

    /// <summary>A pong must arrive within this after a ping, else the link is dead.</summary>
    /// <value>Defaults to 10 seconds; HOCON <c>actorfeed.connection.keepalive-timeout</c>.</value>
    public TimeSpan KeepAliveTimeout { get; init; } = SettingDefinitions.KeepAliveTimeout.Default;

    /// <summary>No frame of any kind (PING, REAL, replies) for this long means the link is dead.</summary>
    /// <value>Defaults to 60 seconds; HOCON <c>actorfeed.connection.idle-timeout</c>.</value>
    public TimeSpan IdleTimeout { get; init; } = SettingDefinitions.IdleTimeout.Default;

    /// <summary>A REG or REMOVE must be answered within this, else the link fails; a condition request (CNSRLST, CNSRREQ,
    /// CNSRCLR) not answered within this is dropped and (but a CNSRCLR) asked again after a backoff: the link lives on.</summary>
    /// <value>Defaults to 10 seconds; HOCON <c>actorfeed.connection.request-timeout</c>.</value>
    public TimeSpan RequestTimeout { get; init; } = SettingDefinitions.RequestTimeout.Default;

    /// <summary>Largest received message in bytes; a larger one fails the link. At least 1024.</summary>
    /// <value>Defaults to 4194304 (4 MiB); HOCON <c>actorfeed.connection.max-frame-bytes</c>.</value>
    public int MaxFrameBytes { get; init; } = SettingDefinitions.MaxFrameBytes.Default;

    /// <summary>First restart delay of the connection after a link failure; it doubles per attempt.</summary>
    /// <value>Defaults to 1 second; HOCON <c>actorfeed.backoff.min</c>.</value>
    public TimeSpan BackoffMin { get; init; } = SettingDefinitions.BackoffMin.Default;

    /// <summary>Longest restart delay of the connection; at least <see cref="BackoffMin"/>.</summary>
    /// <value>Defaults to 30 seconds; HOCON <c>actorfeed.backoff.max</c>.</value>
    public TimeSpan BackoffMax { get; init; } = SettingDefinitions.BackoffMax.Default;

    /// <summary>Each restart delay is multiplied by a random factor in [1, 1 + this]; between 0 and 1.</summary>
    /// <value>Defaults to 0.2; HOCON <c>actorfeed.backoff.random-factor</c>.</value>
    public double BackoffRandomFactor { get; init; } = SettingDefinitions.BackoffRandomFactor.Default;

    /// <summary>The backoff resets only after the link stayed logged in this long.</summary>
    /// <value>Defaults to 30 seconds; HOCON <c>actorfeed.backoff.reset-after</c>.</value>
    public TimeSpan BackoffResetAfter { get; init; } = SettingDefinitions.BackoffResetAfter.Default;

    /// <summary>Delay before retrying after a permanent failure: bad credentials or a duplicate session (SYSTEM R10001).</summary>
    /// <value>Defaults to 5 minutes; HOCON <c>actorfeed.backoff.permanent-failure</c>.</value>
    public TimeSpan PermanentFailureBackoff { get; init; } = SettingDefinitions.PermanentFailureBackoff.Default;

    /// <summary>REG / REMOVE group number (<c>grp_no</c>), 1 to 4 characters.</summary>
    /// <value>Defaults to "1"; HOCON <c>actorfeed.subscription.group</c>.</value>
    public string SubscriptionGroup { get; init; } = SettingDefinitions.SubscriptionGroup.Default;

    /// <summary>Items per REG / REMOVE message; larger sets are sent in batches. At least 1.</summary>
    /// <value>Defaults to 100; HOCON <c>actorfeed.subscription.max-items-per-request</c>.</value>
    public int MaxItemsPerRequest { get; init; } = SettingDefinitions.MaxItemsPerRequest.Default;

    /// <summary>Pause between two batches of the replay after a (re)connection.</summary>
    /// <value>Defaults to zero (no pause); HOCON <c>actorfeed.subscription.replay-batch-interval</c>.</value>
    public TimeSpan ReplayBatchInterval { get; init; } = SettingDefinitions.ReplayBatchInterval.Default;

    /// <summary>
    /// REG / REMOVE requests sent per second at most, as a minimum interval of <c>1 / this</c> between two sends;
    /// 0 sends unpaced. Kiwoom documents no limit for the socket and community code assumes 5 REST queries per second:
    /// 10 keeps a replay of 1,000 codes (10 requests of 100) near one second. A request refused with 1700 (rate limit)
    /// is still paused and resent whatever this is. <see cref="ReplayBatchInterval"/>, when set, applies as well.
    /// </summary>
    /// <value>Defaults to 10; HOCON <c>actorfeed.subscription.max-requests-per-second</c>.</value>
    public int MaxRequestsPerSecond { get; init; } = SettingDefinitions.MaxRequestsPerSecond.Default;

    /// <summary>
    /// Messages a subscriber actor (in this process) may have queued before its ticks are held instead of told: while
    /// it is behind, only the latest tick of each code is kept for it, and the ticks replaced are dropped and counted in
    /// <c>actorfeed.ticks.dropped</c>. Bounds the memory a slow subscriber holds (each queued tick keeps its frame's
    /// bytes alive). 0 turns the limit off (the mailbox grows without bound). At least 0.
    /// </summary>
    /// <value>Defaults to 10000; HOCON <c>actorfeed.subscription.max-pending-ticks</c>.</value>
    public int MaxPendingTicks { get; init; } = SettingDefinitions.MaxPendingTicks.Default;

    /// <summary>
    /// Real-time condition searches (<c>SubscribeCondition</c>: CNSRREQ with search_type 1) active at once in the session;
    /// a <c>SubscribeCondition</c> for one more condition is answered with <c>ConditionRejected</c>. Kiwoom documents no
    /// limit; community code caps them at 10 per login. At least 1.
    /// </summary>
    /// <value>Defaults to 10; HOCON <c>actorfeed.conditions.max-realtime</c>.</value>
    public int ConditionsMaxRealtime { get; init; } = SettingDefinitions.ConditionsMaxRealtime.Default;

    /// <summary>
    /// Liveness of the DATA, not the socket: with at least one confirmed subscription and the market open (see
    /// <see cref="MarketCalendar"/>), no REAL frame for this long means the data stopped (PINGs, pongs and replies do not
    /// count). The feed first registers the desired set again on the same connection; if REAL still does not come within
    /// another <see cref="DataTimeout"/>, it restarts the connection (cause "no data"). <see cref="TimeSpan.Zero"/> turns
    /// it off. Raise it for a set of illiquid codes.
    /// </summary>
    /// <value>Defaults to 60 seconds; HOCON <c>actorfeed.subscription.data-timeout</c>.</value>
    public TimeSpan DataTimeout { get; init; } = SettingDefinitions.DataTimeout.Default;

    /// <summary>
    /// A subscribed code is stale when it has been silent much longer than its own usual pace (learned from its recent
    /// gaps between ticks) while its session is open, but never sooner than this.
    /// </summary>
    /// <value>Defaults to 10 seconds; HOCON <c>actorfeed.subscription.stale-floor</c>.</value>
    public TimeSpan StaleFloor { get; init; } = SettingDefinitions.StaleFloor.Default;

    /// <summary>
    /// When silence is normal: <c>krx</c> (KRX sessions in Korea Standard Time, Nextrade for <c>_NX</c> codes, weekends
    /// and <see cref="MarketHolidays"/> closed) or <c>always</c> (the market never closes: tests, demos, 24-hour venues).
    /// </summary>
    /// <value>Defaults to <c>krx</c>; HOCON <c>actorfeed.market.calendar</c>.</value>
    public string MarketCalendar { get; init; } = SettingDefinitions.MarketCalendar.Default;

    /// <summary>Exchange holidays, closed all day: KST calendar days <c>yyyy-MM-dd</c>, comma-separated.</summary>
    /// <value>Defaults to none; HOCON <c>actorfeed.market.holidays</c>.</value>
    public string MarketHolidays { get; init; } = SettingDefinitions.MarketHolidays.Default;

    /// <summary>The market calendar these settings describe.</summary>
    internal Kiwoom.MarketCalendar Calendar() =>
        new(Kiwoom.MarketCalendar.TryParseMode(MarketCalendar, out var mode) ? mode : Kiwoom.MarketCalendarMode.Krx,
            SplitHolidays(MarketHolidays).Select(d => Kiwoom.MarketCalendar.TryParseHoliday(d, out var day) ? day : default));

    internal static IEnumerable<string> SplitHolidays(string holidays) =>
        holidays.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// This many link drops (connection failures) within <see cref="FlappingWindow"/> make the link "flapping":
    /// <see cref="Messages.FeedStatus.FlappingSince"/> is set and the hosting health check reports Degraded (Unhealthy
    /// once it lasts longer than its UnhealthyAfter), even in the moments the feed is connected. At least 1.
    /// </summary>
    /// <value>Defaults to 3; HOCON <c>actorfeed.health.flapping-drops</c>.</value>
    public int FlappingDrops { get; init; } = SettingDefinitions.FlappingDrops.Default;

    /// <summary>The window in which link drops are counted (<see cref="Messages.FeedStatus.RecentDrops"/>).</summary>
    /// <value>Defaults to 5 minutes; HOCON <c>actorfeed.health.flapping-window</c>.</value>
    public TimeSpan FlappingWindow { get; init; } = SettingDefinitions.FlappingWindow.Default;

    /// <summary>
    /// Graceful close (REMOVE everything, close 1000) must finish within this; the token revoke, when
    /// <see cref="RevokeTokenOnStop"/> is on, gets as long again. The CoordinatedShutdown phase the feed stops in
    /// (before-service-unbind) must allow that much: see <see cref="Feed.ShutdownBudget"/>.
    /// </summary>
    /// <value>Defaults to 5 seconds; HOCON <c>actorfeed.shutdown.timeout</c>.</value>
    public TimeSpan ShutdownTimeout { get; init; } = SettingDefinitions.ShutdownTimeout.Default;

    /// <summary>The reference configuration embedded in this assembly (hocon/actorfeed.conf).</summary>
    public static Config ReferenceConfig { get; } = LoadReference();

    /// <summary>Settings from the defaults alone.</summary>
    public static ActorFeedSettings Default { get; } = FromConfig(ReferenceConfig);

    /// <summary>
    /// Reads <c>actorfeed { }</c> from <paramref name="config"/>, falling back to the embedded reference, through
    /// <see cref="SettingDefinitions.All"/>. Throws <see cref="ActorFeedSettingException"/> listing every invalid key
    /// (a value that cannot be read, or that breaks a rule) in <see cref="ActorFeedSettingException.Errors"/>.
    /// </summary>
    public static ActorFeedSettings FromConfig(Config? config)
    {
        var merged = config is null || config.IsEmpty || ReferenceEquals(config, ReferenceConfig) ? ReferenceConfig : config.WithFallback(ReferenceConfig);
        var settings = new ActorFeedSettings();
        var errors = new List<ActorFeedSettingError>();
        foreach (var definition in SettingDefinitions.All)
            settings = definition.Read(merged, settings, errors);
        var unreadable = errors.Select(e => e.Key).ToHashSet();
        errors.AddRange(SettingDefinitions.Check(settings, unreadable));   // the rules of what could be read
        if (errors.Count > 0) throw new ActorFeedSettingException(errors.OrderBy(e => SettingDefinitions.IndexOf(e.Key)));
        return settings;
    }

    /// <summary>
    /// Checks every setting against its rules (<see cref="SettingDefinitions"/>). Throws one
    /// <see cref="ActorFeedSettingException"/> listing every invalid HOCON key in <see cref="ActorFeedSettingException.Errors"/>.
    /// </summary>
    public void Validate()
    {
        var errors = SettingDefinitions.Check(this);
        if (errors.Count > 0) throw new ActorFeedSettingException(errors);
    }

    /// <summary>True when both the app key and the secret key are set.</summary>
    public bool HasCredentials => AppKey.Length > 0 && SecretKey.Length > 0;

    /// <summary>Redacts credentials so that a settings dump can be logged.</summary>
    public override string ToString() =>
        $"ActorFeedSettings {{ AppKey = {Redact.Secret(AppKey)}, SecretKey = {Redact.Secret(SecretKey)}, RestBaseUrl = {RestBaseUrl}, WebSocketUrl = {WebSocketUrl} }}";

    private static Config LoadReference()
    {
        using var stream = typeof(ActorFeedSettings).Assembly.GetManifestResourceStream("ActorFeed.actorfeed.conf")
            ?? throw new InvalidOperationException("The embedded reference configuration ActorFeed.actorfeed.conf is missing.");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
