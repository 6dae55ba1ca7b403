using System.Globalization;
using Akka.Configuration;

namespace ActorFeed.Settings;

/// <summary>
/// One setting of <see cref="ActorFeedSettings"/>: its name, HOCON key, default, how it is read from HOCON, how it
/// is validated, and a one-line description. <see cref="SettingDefinitions.All"/> is the table of every setting; HOCON
/// parsing, validation, ActorFeed.Hosting's option binding and the README configuration table all follow it.
/// </summary>
public abstract class SettingDefinition
{
    private protected SettingDefinition(string name, string hoconKey, string description)
    {
        Name = name;
        HoconKey = hoconKey;
        Description = description;
    }

    /// <summary>The property name on <see cref="ActorFeedSettings"/>, also the option name in ActorFeed.Hosting, e.g. <c>BackoffMax</c>.</summary>
    public string Name { get; }

    /// <summary>The full HOCON key, e.g. <c>actorfeed.backoff.max</c>.</summary>
    public string HoconKey { get; }

    /// <summary>What the setting does, in one line (the "meaning" column of the README table).</summary>
    public string Description { get; }

    /// <summary>The value type: <see cref="string"/>, <see cref="Uri"/>, <see cref="TimeSpan"/>, <see cref="int"/>, <see cref="double"/> or <see cref="bool"/>.</summary>
    public abstract Type ValueType { get; }

    /// <summary>The default value (the one in the embedded reference HOCON), boxed.</summary>
    public abstract object DefaultValue { get; }

    /// <summary>The default as HOCON writes it, e.g. <c>30s</c>, <c>"1"</c>, <c>0.2</c>.</summary>
    public string DefaultText => HoconText.Format(DefaultValue);

    /// <summary>This setting's value in <paramref name="settings"/>, boxed.</summary>
    public abstract object GetValue(ActorFeedSettings settings);

    /// <summary>
    /// <paramref name="settings"/> with this setting replaced by <paramref name="value"/> (not validated; call
    /// <see cref="ActorFeedSettings.Validate"/>). Throws <see cref="ArgumentException"/> if the value is not a <see cref="ValueType"/>.
    /// </summary>
    public abstract ActorFeedSettings WithValue(ActorFeedSettings settings, object value);

    /// <summary>The HOCON key.</summary>
    public override string ToString() => HoconKey;

    /// <summary>Reads the value at <see cref="HoconKey"/> into <paramref name="settings"/>; on failure adds an error and returns it unchanged.</summary>
    internal abstract ActorFeedSettings Read(Config config, ActorFeedSettings settings, List<ActorFeedSettingError> errors);

    /// <summary>Adds an error for every rule the value in <paramref name="settings"/> breaks.</summary>
    internal abstract void Check(ActorFeedSettings settings, List<ActorFeedSettingError> errors);
}

/// <summary>A rule of a setting: null when <paramref name="value"/> is fine, else the problem (e.g. "must be at least 1").</summary>
internal delegate string? SettingRule<in T>(T value, ActorFeedSettings settings);

/// <summary>Reads a value from HOCON; throws <see cref="FormatException"/> with the problem when it cannot.</summary>
internal delegate T SettingReader<out T>(Config config, string key);

/// <summary>A typed entry of the setting table.</summary>
internal sealed class SettingDefinition<T>(
    string name,
    string hoconKey,
    T defaultValue,
    string description,
    Func<ActorFeedSettings, T> get,
    Func<ActorFeedSettings, T, ActorFeedSettings> with,
    SettingReader<T> read,
    params SettingRule<T>[] rules) : SettingDefinition(name, hoconKey, description)
    where T : notnull
{
    /// <summary>The default value.</summary>
    public T Default { get; } = defaultValue;

    public override Type ValueType => typeof(T);

    public override object DefaultValue => Default;

    public T Get(ActorFeedSettings settings) => get(settings);

    public ActorFeedSettings With(ActorFeedSettings settings, T value) => with(settings, value);

    public override object GetValue(ActorFeedSettings settings) => get(settings);

    public override ActorFeedSettings WithValue(ActorFeedSettings settings, object value) => value is T typed
        ? with(settings, typed)
        : throw new ArgumentException($"{Name} takes a {typeof(T).Name}, not {value?.GetType().Name ?? "null"}.", nameof(value));

    internal override ActorFeedSettings Read(Config config, ActorFeedSettings settings, List<ActorFeedSettingError> errors)
    {
        try
        {
            return with(settings, read(config, HoconKey));
        }
        catch (FormatException e)
        {
            errors.Add(new ActorFeedSettingError(HoconKey, e.Message));
            return settings;
        }
    }

    internal override void Check(ActorFeedSettings settings, List<ActorFeedSettingError> errors)
    {
        var value = get(settings);
        foreach (var rule in rules)
            if (rule(value, settings) is { } problem)
                errors.Add(new ActorFeedSettingError(HoconKey, problem));
    }
}

/// <summary>HOCON literals of setting values, for <see cref="SettingDefinition.DefaultText"/>.</summary>
internal static class HoconText
{
    public static string Format(object value) => value switch
    {
        string s => Quote(s),
        Uri u => Quote(u.OriginalString),
        TimeSpan t => Duration(t),
        int i => i.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => throw new ArgumentException($"No HOCON literal for {value.GetType().Name}.", nameof(value)),
    };

    /// <summary>
    /// The largest whole unit, but seconds up to a minute: <c>0s</c>, <c>500ms</c>, <c>20s</c>, <c>60s</c>, <c>10m</c>, <c>2h</c>.
    /// </summary>
    public static string Duration(TimeSpan t)
    {
        if (t == TimeSpan.Zero) return "0s";
        if (t > TimeSpan.FromMinutes(1))
        {
            if (t.Ticks % TimeSpan.TicksPerHour == 0) return $"{t.Ticks / TimeSpan.TicksPerHour}h";
            if (t.Ticks % TimeSpan.TicksPerMinute == 0) return $"{t.Ticks / TimeSpan.TicksPerMinute}m";
        }
        if (t.Ticks % TimeSpan.TicksPerSecond == 0) return $"{t.Ticks / TimeSpan.TicksPerSecond}s";
        return $"{t.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture)}ms";
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
