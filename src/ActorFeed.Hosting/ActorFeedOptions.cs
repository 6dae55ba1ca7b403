using System.Runtime.CompilerServices;
using ActorFeed.Settings;

namespace ActorFeed.Hosting;

/// <summary>
/// Options bound from the configuration section <c>ActorFeed</c> (appsettings.json, environment
/// <c>ActorFeed__AppKey</c>, command line <c>--ActorFeed:AppKey=</c>). Each feed option is a setting of
/// <see cref="SettingDefinitions"/> with the same name: a non-null value overrides the HOCON value of that setting,
/// null (the default) keeps the HOCON / reference default documented on the property. Durations bind from
/// "hh:mm:ss[.fff]" strings, e.g. "00:00:30".
/// </summary>
public sealed class ActorFeedOptions
{
    /// <summary>The configuration section the options bind from: <c>ActorFeed</c>.</summary>
    public const string SectionName = "ActorFeed";

    private readonly Dictionary<SettingDefinition, object> _values = [];

    /// <inheritdoc cref="ActorFeedSettings.AppKey"/>
    public string? AppKey { get => Get<string?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.SecretKey"/>
    public string? SecretKey { get => Get<string?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.RestBaseUrl"/>
    public Uri? RestBaseUrl { get => Get<Uri?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.WebSocketUrl"/>
    public Uri? WebSocketUrl { get => Get<Uri?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.TokenRefreshBeforeExpiry"/>
    public TimeSpan? TokenRefreshBeforeExpiry { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.TokenRequestTimeout"/>
    public TimeSpan? TokenRequestTimeout { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.TokenBackoffMin"/>
    public TimeSpan? TokenBackoffMin { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.TokenBackoffMax"/>
    public TimeSpan? TokenBackoffMax { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.RevokeTokenOnStop"/>
    public bool? RevokeTokenOnStop { get => Get<bool?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.ConnectTimeout"/>
    public TimeSpan? ConnectTimeout { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.LoginTimeout"/>
    public TimeSpan? LoginTimeout { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.KeepAliveInterval"/>
    public TimeSpan? KeepAliveInterval { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.KeepAliveTimeout"/>
    public TimeSpan? KeepAliveTimeout { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.IdleTimeout"/>
    public TimeSpan? IdleTimeout { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.RequestTimeout"/>
    public TimeSpan? RequestTimeout { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.MaxFrameBytes"/>
    public int? MaxFrameBytes { get => Get<int?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.BackoffMin"/>
    public TimeSpan? BackoffMin { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.BackoffMax"/>
    public TimeSpan? BackoffMax { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.BackoffRandomFactor"/>
    public double? BackoffRandomFactor { get => Get<double?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.BackoffResetAfter"/>
    public TimeSpan? BackoffResetAfter { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.PermanentFailureBackoff"/>
    public TimeSpan? PermanentFailureBackoff { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.SubscriptionGroup"/>
    public string? SubscriptionGroup { get => Get<string?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.MaxItemsPerRequest"/>
    public int? MaxItemsPerRequest { get => Get<int?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.ReplayBatchInterval"/>
    public TimeSpan? ReplayBatchInterval { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.MaxRequestsPerSecond"/>
    public int? MaxRequestsPerSecond { get => Get<int?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.MaxPendingTicks"/>
    public int? MaxPendingTicks { get => Get<int?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.ConditionsMaxRealtime"/>
    public int? ConditionsMaxRealtime { get => Get<int?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.DataTimeout"/>
    public TimeSpan? DataTimeout { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.StaleFloor"/>
    public TimeSpan? StaleFloor { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.MarketCalendar"/>
    public string? MarketCalendar { get => Get<string?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.MarketHolidays"/>
    public string? MarketHolidays { get => Get<string?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.FlappingDrops"/>
    public int? FlappingDrops { get => Get<int?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.FlappingWindow"/>
    public TimeSpan? FlappingWindow { get => Get<TimeSpan?>(); set => Set(value); }

    /// <inheritdoc cref="ActorFeedSettings.ShutdownTimeout"/>
    public TimeSpan? ShutdownTimeout { get => Get<TimeSpan?>(); set => Set(value); }

    /// <summary>The health check reports Unhealthy once the feed has been down this long (Degraded before). Not a feed setting.</summary>
    /// <value>Defaults to 2 minutes.</value>
    public TimeSpan UnhealthyAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The health check reports Degraded once fewer subscriptions have been confirmed than are desired for this
    /// long, without a pause (<see cref="Messages.FeedStatus.UnconfirmedSince"/>), even while connected. Not a feed setting.</summary>
    /// <value>Defaults to 1 minute.</value>
    public TimeSpan UnconfirmedAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Option name to HOCON key, for every feed option (from <see cref="SettingDefinitions.All"/>).</summary>
    public static IReadOnlyDictionary<string, string> HoconKeys { get; } = SettingDefinitions.All.ToDictionary(d => d.Name, d => d.HoconKey);

    /// <summary>
    /// <paramref name="baseline"/> (HOCON, or the reference defaults) with every non-null option applied through
    /// <see cref="SettingDefinition.WithValue"/>, validated. Throws <see cref="ActorFeedSettingException"/> listing every
    /// invalid setting by option name, e.g. <c>'ActorFeed:BackoffMax': must be at least actorfeed.backoff.min (HOCON actorfeed.backoff.max)</c>.
    /// </summary>
    public ActorFeedSettings ToSettings(ActorFeedSettings? baseline = null)
    {
        var settings = baseline ?? ActorFeedSettings.Default;
        foreach (var (definition, value) in _values)
            settings = definition.WithValue(settings, value);
        try
        {
            settings.Validate();
        }
        catch (ActorFeedSettingException e)
        {
            throw new ActorFeedSettingException(e.Errors.Select(OptionError), e);
        }
        return settings;
    }

    /// <summary>A copy, independent of this instance.</summary>
    public ActorFeedOptions Clone()
    {
        var copy = new ActorFeedOptions { UnhealthyAfter = UnhealthyAfter, UnconfirmedAfter = UnconfirmedAfter };
        foreach (var (definition, value) in _values) copy._values[definition] = value;
        return copy;
    }

    /// <summary>The option name of a setting: <c>ActorFeed:BackoffMax</c>.</summary>
    private static string OptionKey(SettingDefinition setting) => $"{SectionName}:{setting.Name}";

    private static ActorFeedSettingError OptionError(ActorFeedSettingError error) =>
        SettingDefinitions.Find(error.Key) is { } definition
            ? new ActorFeedSettingError(OptionKey(definition), $"{error.Problem} (HOCON {error.Key})")
            : error;

    private T? Get<T>([CallerMemberName] string name = "") =>
        _values.TryGetValue(Definition(name), out var value) ? (T)value : default;

    private void Set(object? value, [CallerMemberName] string name = "")
    {
        if (value is null) _values.Remove(Definition(name));
        else _values[Definition(name)] = value;
    }

    private static SettingDefinition Definition(string name) =>
        SettingDefinitions.Find(name) ?? throw new InvalidOperationException($"ActorFeedOptions.{name} has no setting definition.");
}
