using System.Text.RegularExpressions;
using Akka.Configuration;
using ActorFeed.Settings;

namespace ActorFeed.Cluster;

/// <summary>
/// The cluster part of the configuration, HOCON <c>actorfeed.cluster</c>:
/// <code>
/// actorfeed.cluster {
///   role = actorfeed                  # nodes that may hold a session
///   max-codes-per-session = 100       # codes one app key's session takes; more are rejected
///   app-keys = [
///     { name = k1, app-key = ${?KIWOOM_KEY1}, secret-key = ${?KIWOOM_SECRET1} }
///     { name = k2, app-key = ${?KIWOOM_KEY2}, secret-key = ${?KIWOOM_SECRET2}, role = actorfeed-k2 }
///   ]
/// }
/// </code>
/// </summary>
public sealed record ActorFeedClusterSettings
{
    /// <summary>The default role of the nodes that may hold a session: <c>actorfeed</c>.</summary>
    public const string DefaultRole = "actorfeed";

    /// <summary>The default of <see cref="MaxCodesPerSession"/>: <c>100</c>.</summary>
    public const int DefaultMaxCodesPerSession = 100;

    /// <summary>The app keys; at least one. Codes are spread over them (<see cref="KeyAssignment"/>).</summary>
    public IReadOnlyList<AppKeyCredentials> AppKeys { get; init; } = [];

    /// <summary>The cluster role of the nodes that may hold a session (a key may name its own). Default <c>actorfeed</c>.</summary>
    public string Role { get; init; } = DefaultRole;

    /// <summary>Distinct codes one app key's session takes; a <c>Subscribe</c> for one more code is answered with
    /// <c>SubscriptionRejected</c> naming the key and this setting. Default <c>100</c>.</summary>
    public int MaxCodesPerSession { get; init; } = DefaultMaxCodesPerSession;

    /// <summary>How often a node asks again for a key's singleton while it has none (after a move, at start).
    /// Default <c>500 ms</c>.</summary>
    public TimeSpan SingletonLookupInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often each node's agent sends every singleton its whole set to reconcile (lost messages heal within
    /// this), and after how long an unconfirmed Subscribe is sent again. 30 s; internal (tests shorten it).</summary>
    internal TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromSeconds(30);

    private static readonly Regex NamePattern = new("^[A-Za-z0-9_-]{1,40}$", RegexOptions.CultureInvariant);

    /// <summary>Reads <c>actorfeed.cluster</c> from <paramref name="config"/> (missing keys keep their defaults).</summary>
    /// <param name="config">An actor system's configuration.</param>
    /// <returns>The settings, validated.</returns>
    /// <exception cref="ActorFeedSettingException">A value is invalid; the message names the key, never a secret.</exception>
    public static ActorFeedClusterSettings FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var settings = new ActorFeedClusterSettings();
        var c = config.GetConfig("actorfeed.cluster");
        if (c is null || c.IsEmpty) return settings;
        var keys = new List<AppKeyCredentials>();
        if (c.HasPath("app-keys"))
            foreach (var k in c.GetValue("app-keys").GetArray())
            {
                var o = k.GetObject();
                string? Str(string name) => o.Items.TryGetValue(name, out var v) && v is not null && !v.IsEmpty ? v.GetString() : null;
                keys.Add(new AppKeyCredentials(Str("name") ?? "", Str("app-key") ?? "", Str("secret-key") ?? "", Str("role")));
            }
        settings = settings with
        {
            AppKeys = keys,
            Role = c.HasPath("role") ? c.GetString("role") : DefaultRole,
            MaxCodesPerSession = c.HasPath("max-codes-per-session") ? c.GetInt("max-codes-per-session") : DefaultMaxCodesPerSession,
            SingletonLookupInterval = c.HasPath("singleton-lookup-interval") ? c.GetTimeSpan("singleton-lookup-interval") : settings.SingletonLookupInterval,
        };
        settings.Validate();
        return settings;
    }

    /// <summary>Checks every value and reports every error at once, naming the HOCON key (never a secret).</summary>
    /// <exception cref="ActorFeedSettingException">Something is invalid.</exception>
    public void Validate()
    {
        var errors = new List<ActorFeedSettingError>();
        void Add(string key, string problem) => errors.Add(new ActorFeedSettingError(key, problem));
        if (AppKeys.Count == 0) Add("actorfeed.cluster.app-keys", "at least one app key is needed");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < AppKeys.Count; i++)
        {
            var k = AppKeys[i];
            if (k is null) { Add($"actorfeed.cluster.app-keys[{i}]", "missing"); continue; }
            if (string.IsNullOrEmpty(k.Name) || !NamePattern.IsMatch(k.Name))
                Add($"actorfeed.cluster.app-keys[{i}].name", "1-40 letters, digits, '-' or '_'");
            else if (!names.Add(k.Name)) Add($"actorfeed.cluster.app-keys[{i}].name", $"'{k.Name}' is used twice");
            if (string.IsNullOrWhiteSpace(k.AppKey)) Add($"actorfeed.cluster.app-keys[{i}].app-key", "empty");
            if (string.IsNullOrWhiteSpace(k.SecretKey)) Add($"actorfeed.cluster.app-keys[{i}].secret-key", "empty");
            if (k.Role is { } r && string.IsNullOrWhiteSpace(r)) Add($"actorfeed.cluster.app-keys[{i}].role", "empty");
        }
        if (AppKeys.Where(k => k is not null).Select(k => k.AppKey).Distinct(StringComparer.Ordinal).Count() != AppKeys.Count(k => k is not null))
            Add("actorfeed.cluster.app-keys", "the same app key is listed twice (one session per key)");
        if (string.IsNullOrWhiteSpace(Role)) Add("actorfeed.cluster.role", "empty");
        if (MaxCodesPerSession < 1) Add("actorfeed.cluster.max-codes-per-session", "must be at least 1");
        if (SingletonLookupInterval <= TimeSpan.Zero) Add("actorfeed.cluster.singleton-lookup-interval", "must be positive");
        if (errors.Count > 0) throw new ActorFeedSettingException(errors);
    }

    /// <summary>The role of <paramref name="key"/>'s singleton.</summary>
    internal string RoleOf(AppKeyCredentials key) => key.Role ?? Role;
}
