using Akka.Configuration;

namespace ActorFeed.Settings;

/// <summary>
/// The table of every ActorFeed setting, in the order of hocon/actorfeed.conf. It is the one definition of each
/// setting: <see cref="ActorFeedSettings.FromConfig"/> reads it, <see cref="ActorFeedSettings.Validate"/> checks it,
/// ActorFeed.Hosting binds its options through it, and tests hold the embedded HOCON and the README table to it.
/// </summary>
public static class SettingDefinitions
{
    internal static readonly SettingDefinition<string> AppKey = new(
        nameof(ActorFeedSettings.AppKey), "actorfeed.app-key", "",
        "Kiwoom app key; never logged (shown redacted)",
        s => s.AppKey, (s, v) => s with { AppKey = v }, Readers.String);

    internal static readonly SettingDefinition<string> SecretKey = new(
        nameof(ActorFeedSettings.SecretKey), "actorfeed.secret-key", "",
        "Kiwoom secret key; never logged (shown redacted)",
        s => s.SecretKey, (s, v) => s with { SecretKey = v }, Readers.String);

    internal static readonly SettingDefinition<Uri> RestBaseUrl = new(
        nameof(ActorFeedSettings.RestBaseUrl), "actorfeed.rest-base-url", new Uri("https://mockapi.kiwoom.com"),
        "REST base of /oauth2/token and /oauth2/revoke (production: https://api.kiwoom.com)",
        s => s.RestBaseUrl, (s, v) => s with { RestBaseUrl = v }, Readers.Url, Rules.Scheme("an http or https URL", "http", "https"));

    internal static readonly SettingDefinition<Uri> WebSocketUrl = new(
        nameof(ActorFeedSettings.WebSocketUrl), "actorfeed.websocket-url", new Uri("wss://mockapi.kiwoom.com:10000/api/dostk/websocket"),
        "real-time WebSocket endpoint (production: wss://api.kiwoom.com:10000/api/dostk/websocket)",
        s => s.WebSocketUrl, (s, v) => s with { WebSocketUrl = v }, Readers.Url, Rules.Scheme("a ws or wss URL", "ws", "wss"));

    internal static readonly SettingDefinition<TimeSpan> TokenRefreshBeforeExpiry = new(
        nameof(ActorFeedSettings.TokenRefreshBeforeExpiry), "actorfeed.token.refresh-before-expiry", TimeSpan.FromMinutes(10),
        "issue a new token this long before the current one expires",
        s => s.TokenRefreshBeforeExpiry, (s, v) => s with { TokenRefreshBeforeExpiry = v }, Readers.Duration, Rules.NotNegative());

    internal static readonly SettingDefinition<TimeSpan> TokenRequestTimeout = new(
        nameof(ActorFeedSettings.TokenRequestTimeout), "actorfeed.token.request-timeout", TimeSpan.FromSeconds(10),
        "timeout of one REST call to the token endpoint",
        s => s.TokenRequestTimeout, (s, v) => s with { TokenRequestTimeout = v }, Readers.Duration, Rules.Positive);

    internal static readonly SettingDefinition<TimeSpan> TokenBackoffMin = new(
        nameof(ActorFeedSettings.TokenBackoffMin), "actorfeed.token.backoff-min", TimeSpan.FromSeconds(1),
        "first retry delay of the token actor after a transient failure (5xx, 1700 rate limit)",
        s => s.TokenBackoffMin, (s, v) => s with { TokenBackoffMin = v }, Readers.Duration, Rules.Positive);

    internal static readonly SettingDefinition<TimeSpan> TokenBackoffMax = new(
        nameof(ActorFeedSettings.TokenBackoffMax), "actorfeed.token.backoff-max", TimeSpan.FromSeconds(60),
        "longest retry delay of the token actor",
        s => s.TokenBackoffMax, (s, v) => s with { TokenBackoffMax = v }, Readers.Duration, Rules.AtLeast(TokenBackoffMin));

    internal static readonly SettingDefinition<bool> RevokeTokenOnStop = new(
        nameof(ActorFeedSettings.RevokeTokenOnStop), "actorfeed.token.revoke-on-stop", false,
        "revoke the token when the feed stops; Kiwoom gives every process of an app key the same token, so this logs the others out",
        s => s.RevokeTokenOnStop, (s, v) => s with { RevokeTokenOnStop = v }, Readers.Bool);

    internal static readonly SettingDefinition<TimeSpan> ConnectTimeout = new(
        nameof(ActorFeedSettings.ConnectTimeout), "actorfeed.connection.connect-timeout", TimeSpan.FromSeconds(10),
        "opening the socket (TCP, TLS, upgrade) must finish within this",
        s => s.ConnectTimeout, (s, v) => s with { ConnectTimeout = v }, Readers.Duration, Rules.Positive);

    internal static readonly SettingDefinition<TimeSpan> LoginTimeout = new(
        nameof(ActorFeedSettings.LoginTimeout), "actorfeed.connection.login-timeout", TimeSpan.FromSeconds(10),
        "LOGIN must be answered within this",
        s => s.LoginTimeout, (s, v) => s with { LoginTimeout = v }, Readers.Duration, Rules.Positive);

    internal static readonly SettingDefinition<TimeSpan> KeepAliveInterval = new(
        nameof(ActorFeedSettings.KeepAliveInterval), "actorfeed.connection.keepalive-interval", TimeSpan.FromSeconds(20),
        "WebSocket ping interval; 0s turns protocol pings off",
        s => s.KeepAliveInterval, (s, v) => s with { KeepAliveInterval = v }, Readers.Duration, Rules.NotNegative(" (0s turns protocol pings off)"));

    internal static readonly SettingDefinition<TimeSpan> KeepAliveTimeout = new(
        nameof(ActorFeedSettings.KeepAliveTimeout), "actorfeed.connection.keepalive-timeout", TimeSpan.FromSeconds(10),
        "a pong must arrive within this after a ping, else the link is dead",
        s => s.KeepAliveTimeout, (s, v) => s with { KeepAliveTimeout = v }, Readers.Duration, Rules.Positive);

    internal static readonly SettingDefinition<TimeSpan> IdleTimeout = new(
        nameof(ActorFeedSettings.IdleTimeout), "actorfeed.connection.idle-timeout", TimeSpan.FromSeconds(60),
        "no frame of any kind (PING, REAL, replies) for this long means the link is dead",
        s => s.IdleTimeout, (s, v) => s with { IdleTimeout = v }, Readers.Duration, Rules.Positive);

    internal static readonly SettingDefinition<TimeSpan> RequestTimeout = new(
        nameof(ActorFeedSettings.RequestTimeout), "actorfeed.connection.request-timeout", TimeSpan.FromSeconds(10),
        "a REG or REMOVE must be answered within this, else the link is restarted; a condition request (CNSRLST, CNSRREQ, CNSRCLR) not answered within this is dropped and (but a CNSRCLR) asked again after a backoff, the link lives on (see the failure table)",
        s => s.RequestTimeout, (s, v) => s with { RequestTimeout = v }, Readers.Duration, Rules.Positive);

    internal static readonly SettingDefinition<int> MaxFrameBytes = new(
        nameof(ActorFeedSettings.MaxFrameBytes), "actorfeed.connection.max-frame-bytes", 4 * 1024 * 1024,
        "largest received message in bytes; a larger one fails the link",
        s => s.MaxFrameBytes, (s, v) => s with { MaxFrameBytes = v }, Readers.Int, Rules.AtLeast(1024));

    internal static readonly SettingDefinition<TimeSpan> BackoffMin = new(
        nameof(ActorFeedSettings.BackoffMin), "actorfeed.backoff.min", TimeSpan.FromSeconds(1),
        "first restart delay of the connection after a link failure, and first pause before resending a REG / REMOVE refused with 1700 (rate limit); doubles per attempt",
        s => s.BackoffMin, (s, v) => s with { BackoffMin = v }, Readers.Duration, Rules.Positive);

    internal static readonly SettingDefinition<TimeSpan> BackoffMax = new(
        nameof(ActorFeedSettings.BackoffMax), "actorfeed.backoff.max", TimeSpan.FromSeconds(30),
        "longest restart delay of the connection, and longest rate-limit pause",
        s => s.BackoffMax, (s, v) => s with { BackoffMax = v }, Readers.Duration, Rules.AtLeast(BackoffMin));

    internal static readonly SettingDefinition<double> BackoffRandomFactor = new(
        nameof(ActorFeedSettings.BackoffRandomFactor), "actorfeed.backoff.random-factor", 0.2,
        "each restart delay is multiplied by a random factor in [1, 1 + this]",
        s => s.BackoffRandomFactor, (s, v) => s with { BackoffRandomFactor = v }, Readers.Double, Rules.Between(0, 1));

    internal static readonly SettingDefinition<TimeSpan> BackoffResetAfter = new(
        nameof(ActorFeedSettings.BackoffResetAfter), "actorfeed.backoff.reset-after", TimeSpan.FromSeconds(30),
        "the backoff resets only after the link stayed logged in this long",
        s => s.BackoffResetAfter, (s, v) => s with { BackoffResetAfter = v }, Readers.Duration, Rules.NotNegative());

    internal static readonly SettingDefinition<TimeSpan> PermanentFailureBackoff = new(
        nameof(ActorFeedSettings.PermanentFailureBackoff), "actorfeed.backoff.permanent-failure", TimeSpan.FromMinutes(5),
        "delay before retrying after bad credentials or a duplicate session (SYSTEM R10001)",
        s => s.PermanentFailureBackoff, (s, v) => s with { PermanentFailureBackoff = v }, Readers.Duration, Rules.Positive);

    internal static readonly SettingDefinition<string> SubscriptionGroup = new(
        nameof(ActorFeedSettings.SubscriptionGroup), "actorfeed.subscription.group", "1",
        "REG / REMOVE group number (grp_no), 1 to 4 characters",
        s => s.SubscriptionGroup, (s, v) => s with { SubscriptionGroup = v }, Readers.String, Rules.Length(1, 4));

    internal static readonly SettingDefinition<int> MaxItemsPerRequest = new(
        nameof(ActorFeedSettings.MaxItemsPerRequest), "actorfeed.subscription.max-items-per-request", 100,
        "items per REG / REMOVE message; larger sets are sent in batches",
        s => s.MaxItemsPerRequest, (s, v) => s with { MaxItemsPerRequest = v }, Readers.Int, Rules.AtLeast(1));

    internal static readonly SettingDefinition<TimeSpan> ReplayBatchInterval = new(
        nameof(ActorFeedSettings.ReplayBatchInterval), "actorfeed.subscription.replay-batch-interval", TimeSpan.Zero,
        "pause between two batches of the replay after a (re)connection",
        s => s.ReplayBatchInterval, (s, v) => s with { ReplayBatchInterval = v }, Readers.Duration, Rules.NotNegative());

    internal static readonly SettingDefinition<int> MaxRequestsPerSecond = new(
        nameof(ActorFeedSettings.MaxRequestsPerSecond), "actorfeed.subscription.max-requests-per-second", 10,
        "REG / REMOVE requests per second at most (a minimum interval between two sends), 0 = unpaced; 10 because Kiwoom documents no socket limit, community code assumes 5 REST queries/s, and a 1,000-code replay (10 requests) stays near 1 s",
        s => s.MaxRequestsPerSecond, (s, v) => s with { MaxRequestsPerSecond = v }, Readers.Int, Rules.AtLeast(0));

    internal static readonly SettingDefinition<int> MaxPendingTicks = new(
        nameof(ActorFeedSettings.MaxPendingTicks), "actorfeed.subscription.max-pending-ticks", 10_000,
        "messages a subscriber actor may have queued before its ticks are conflated (latest per code kept, the rest dropped and counted); 0: no limit",
        s => s.MaxPendingTicks, (s, v) => s with { MaxPendingTicks = v }, Readers.Int, Rules.AtLeast(0));

    internal static readonly SettingDefinition<TimeSpan> DataTimeout = new(
        nameof(ActorFeedSettings.DataTimeout), "actorfeed.subscription.data-timeout", TimeSpan.FromSeconds(60),
        "with confirmed subscriptions and the market open, no REAL for this long: re-register once, then restart the link (cause \"no data\"); PINGs do not count; 0s = off",
        s => s.DataTimeout, (s, v) => s with { DataTimeout = v }, Readers.Duration, Rules.NotNegative(" (0s turns the data watchdog off)"));

    internal static readonly SettingDefinition<TimeSpan> StaleFloor = new(
        nameof(ActorFeedSettings.StaleFloor), "actorfeed.subscription.stale-floor", TimeSpan.FromSeconds(10),
        "a code is stale when silent much longer than its own usual pace while its session is open, but never sooner than this",
        s => s.StaleFloor, (s, v) => s with { StaleFloor = v }, Readers.Duration, Rules.Positive);

    internal static readonly SettingDefinition<string> MarketCalendar = new(
        nameof(ActorFeedSettings.MarketCalendar), "actorfeed.market.calendar", "krx",
        "when silence is normal: krx (KRX / Nextrade sessions in KST, weekends and holidays closed) or always (always open: tests, demos, 24-hour venues)",
        s => s.MarketCalendar, (s, v) => s with { MarketCalendar = v }, Readers.String, Rules.Calendar);

    internal static readonly SettingDefinition<string> MarketHolidays = new(
        nameof(ActorFeedSettings.MarketHolidays), "actorfeed.market.holidays", "",
        "exchange holidays (KST days, closed all day), comma-separated yyyy-MM-dd",
        s => s.MarketHolidays, (s, v) => s with { MarketHolidays = v }, Readers.String, Rules.Holidays);

    internal static readonly SettingDefinition<int> ConditionsMaxRealtime = new(
        nameof(ActorFeedSettings.ConditionsMaxRealtime), "actorfeed.conditions.max-realtime", 10,
        "real-time condition searches (CNSRREQ search_type 1) active at once per session; one more is rejected (10: the cap community code observed per login)",
        s => s.ConditionsMaxRealtime, (s, v) => s with { ConditionsMaxRealtime = v }, Readers.Int, Rules.AtLeast(1));

    internal static readonly SettingDefinition<int> FlappingDrops = new(
        nameof(ActorFeedSettings.FlappingDrops), "actorfeed.health.flapping-drops", 3,
        "this many link drops within flapping-window make the link flapping (FeedStatus.FlappingSince; the health check degrades)",
        s => s.FlappingDrops, (s, v) => s with { FlappingDrops = v }, Readers.Int, Rules.AtLeast(1));

    internal static readonly SettingDefinition<TimeSpan> FlappingWindow = new(
        nameof(ActorFeedSettings.FlappingWindow), "actorfeed.health.flapping-window", TimeSpan.FromMinutes(5),
        "the window in which link drops are counted (FeedStatus.RecentDrops)",
        s => s.FlappingWindow, (s, v) => s with { FlappingWindow = v }, Readers.Duration, Rules.Positive);

    internal static readonly SettingDefinition<TimeSpan> ShutdownTimeout = new(
        nameof(ActorFeedSettings.ShutdownTimeout), "actorfeed.shutdown.timeout", TimeSpan.FromSeconds(5),
        "graceful close (REMOVE everything, close 1000) must finish within this; so must the token revoke, if revoke-on-stop",
        s => s.ShutdownTimeout, (s, v) => s with { ShutdownTimeout = v }, Readers.Duration, Rules.Positive);

    /// <summary>Every setting, in the order of hocon/actorfeed.conf.</summary>
    public static IReadOnlyList<SettingDefinition> All { get; } =
    [
        AppKey, SecretKey, RestBaseUrl, WebSocketUrl,
        TokenRefreshBeforeExpiry, TokenRequestTimeout, TokenBackoffMin, TokenBackoffMax, RevokeTokenOnStop,
        ConnectTimeout, LoginTimeout, KeepAliveInterval, KeepAliveTimeout, IdleTimeout, RequestTimeout, MaxFrameBytes,
        BackoffMin, BackoffMax, BackoffRandomFactor, BackoffResetAfter, PermanentFailureBackoff,
        SubscriptionGroup, MaxItemsPerRequest, ReplayBatchInterval, MaxRequestsPerSecond, MaxPendingTicks, DataTimeout, StaleFloor,
        MarketCalendar, MarketHolidays,
        ConditionsMaxRealtime,
        FlappingDrops, FlappingWindow,
        ShutdownTimeout,
    ];

    private static readonly Dictionary<string, SettingDefinition> ByName =
        All.SelectMany(d => new[] { KeyValuePair.Create(d.Name, d), KeyValuePair.Create(d.HoconKey, d) })
            .ToDictionary(StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<SettingDefinition, int> Order = All.Select((d, i) => KeyValuePair.Create(d, i)).ToDictionary();

    /// <summary>The setting with this name (<c>BackoffMax</c>) or HOCON key (<c>actorfeed.backoff.max</c>), case-insensitive; null if there is none.</summary>
    public static SettingDefinition? Find(string nameOrHoconKey)
    {
        ArgumentNullException.ThrowIfNull(nameOrHoconKey);
        return ByName.GetValueOrDefault(nameOrHoconKey);
    }

    /// <summary>The position of the setting with this HOCON key in <see cref="All"/>.</summary>
    internal static int IndexOf(string hoconKey) => Find(hoconKey) is { } d ? Order[d] : int.MaxValue;

    /// <summary>Every rule <paramref name="settings"/> breaks, keyed by HOCON key, skipping <paramref name="skip"/>.</summary>
    internal static List<ActorFeedSettingError> Check(ActorFeedSettings settings, IReadOnlySet<string>? skip = null)
    {
        var errors = new List<ActorFeedSettingError>();
        foreach (var d in All)
            if (skip is null || !skip.Contains(d.HoconKey))
                d.Check(settings, errors);
        return errors;
    }

    private static class Readers
    {
        public static string String(Config c, string key) => Parse(c, key, "a string", () => c.GetString(key, "") ?? "");

        public static Uri Url(Config c, string key)
        {
            var text = String(c, key);
            return Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : throw new FormatException($"'{text}' is not an absolute URL");
        }

        public static TimeSpan Duration(Config c, string key) =>
            Parse(c, key, "a duration (e.g. 500ms, 20s, 5m)", () => c.GetTimeSpan(key, null, allowInfinite: false));

        public static int Int(Config c, string key) => Parse(c, key, "a whole number", () => c.GetInt(key));

        public static bool Bool(Config c, string key) => Parse(c, key, "true or false", () => c.GetBoolean(key));

        public static double Double(Config c, string key) => Parse(c, key, "a number", () => c.GetDouble(key));

        private static T Parse<T>(Config c, string key, string kind, Func<T> read)
        {
            try
            {
                return read();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                string? raw;
                try { raw = c.GetString(key, null); } catch (Exception) { raw = null; }
                throw new FormatException(raw is null ? $"is not {kind}" : $"'{raw}' is not {kind}", e);
            }
        }
    }

    private static class Rules
    {
        public static string? Positive(TimeSpan v, ActorFeedSettings _) => v > TimeSpan.Zero ? null : $"must be greater than zero, was {v}";

        public static SettingRule<TimeSpan> NotNegative(string note = "") => (v, _) => v >= TimeSpan.Zero ? null : "must not be negative" + note;

        public static SettingRule<TimeSpan> AtLeast(SettingDefinition<TimeSpan> other) =>
            (v, s) => v >= other.Get(s) ? null : $"must be at least {other.HoconKey}";

        public static SettingRule<int> AtLeast(int min) => (v, _) => v >= min ? null : $"must be at least {min}";

        public static SettingRule<double> Between(double min, double max) => (v, _) => v >= min && v <= max ? null : $"must be between {min} and {max}";

        public static SettingRule<string> Length(int min, int max) => (v, _) => v.Length >= min && v.Length <= max ? null : $"must be {min} to {max} characters";

        public static string? Calendar(string v, ActorFeedSettings settings) =>
            Kiwoom.MarketCalendar.TryParseMode(v, out _) ? null : $"must be krx or always, was '{v}'";

        public static string? Holidays(string v, ActorFeedSettings settings)
        {
            foreach (var day in ActorFeedSettings.SplitHolidays(v))
                if (!Kiwoom.MarketCalendar.TryParseHoliday(day, out _)) return $"'{day}' is not a date yyyy-MM-dd";
            return null;
        }

        public static SettingRule<Uri> Scheme(string what, params string[] schemes) =>
            (v, _) => schemes.Contains(v.Scheme) ? null : $"must be {what}, was '{v}'";
    }
}
