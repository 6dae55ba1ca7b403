using ActorFeed.Settings;

namespace ActorFeed.Testing;

/// <summary>Values for the setting-table specs.</summary>
public static class SettingValues
{
    /// <summary>A valid value different from the default, to see which property a definition writes.</summary>
    public static object Other(SettingDefinition d) => d.HoconKey switch
    {
        "actorfeed.market.calendar" => "always",                   // strings with a grammar of their own
        "actorfeed.market.holidays" => "2026-01-01,2026-02-17",
        _ => OtherOfType(d),
    };

    private static object OtherOfType(SettingDefinition d) => d.DefaultValue switch
    {
        string s => s + "7",
        Uri u => new Uri(u.Scheme + "://other.example:1234/path"),
        TimeSpan t => t + TimeSpan.FromSeconds(1),
        int i => i + 1,
        double x => x / 2,
        bool b => !b,
        var v => throw new InvalidOperationException($"no other value for {v.GetType()}"),
    };
}
