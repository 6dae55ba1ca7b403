using ActorFeed.Testing;
using System.Reflection;
using ActorFeed.Settings;

namespace ActorFeed.Hosting.Tests;

/// <summary>The options and the README configuration table follow <see cref="SettingDefinitions"/>, in both directions.</summary>
public sealed class ConfigurationTableSpec
{
    private const string TableHeader = "| option (`ActorFeed:` section) |";
    private const string HostingOnly = "(hosting only)";

    /// <summary>Options of the health check, not feed settings: no HOCON key.</summary>
    private static readonly string[] HostingOnlyOptions = [nameof(ActorFeedOptions.UnhealthyAfter), nameof(ActorFeedOptions.UnconfirmedAfter)];

    private static PropertyInfo[] FeedOptionProperties() =>
        typeof(ActorFeedOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => !HostingOnlyOptions.Contains(p.Name))
            .ToArray();

    [Fact]
    public void Options_must_have_a_setting_definition_for_every_feed_option_and_apply_it_to_that_setting()
    {
        var properties = FeedOptionProperties().ToDictionary(p => p.Name);
        Assert.Equal(SettingDefinitions.All.Select(d => d.Name).Order(), properties.Keys.Order());
        Assert.Equal(ActorFeedSettings.Default, new ActorFeedOptions().ToSettings());
        foreach (var d in SettingDefinitions.All)
        {
            var property = properties[d.Name];
            Assert.Equal(d.ValueType, Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType);
            var options = new ActorFeedOptions();
            Assert.Null(property.GetValue(options));
            var other = SettingValues.Other(d);
            property.SetValue(options, other);
            Assert.Equal(other, property.GetValue(options));
            var settings = options.ToSettings();
            Assert.Equal(other, d.GetValue(settings));
            foreach (var rest in SettingDefinitions.All.Where(r => r != d))
                Assert.Equal(rest.GetValue(ActorFeedSettings.Default), rest.GetValue(settings));
            Assert.Equal(other, d.GetValue(options.Clone().ToSettings()));
            property.SetValue(options, null);
            Assert.Equal(ActorFeedSettings.Default, options.ToSettings());
        }
    }

    [Fact]
    public void Options_must_report_every_invalid_option_at_once_by_name_and_HOCON_key()
    {
        var options = new ActorFeedOptions { BackoffMax = TimeSpan.FromMilliseconds(1), MaxItemsPerRequest = 0, AppKey = "options-app-key-0123456789" };
        var e = Assert.Throws<ActorFeedSettingException>(() => options.ToSettings());
        Assert.Equal(["ActorFeed:BackoffMax", "ActorFeed:MaxItemsPerRequest"], e.Errors.Select(x => x.Key));
        Assert.Equal(
            "Invalid ActorFeed settings (2): 'ActorFeed:BackoffMax': must be at least actorfeed.backoff.min (HOCON actorfeed.backoff.max); " +
            "'ActorFeed:MaxItemsPerRequest': must be at least 1 (HOCON actorfeed.subscription.max-items-per-request).",
            e.Message);
        Assert.DoesNotContain("options-app-key", e.Message);
    }

    [Fact]
    public void Readme_configuration_table_must_match_the_setting_definitions()
    {
        var readme = File.ReadAllLines(Repo.File("README.md"));
        var start = Array.FindIndex(readme, l => l.StartsWith(TableHeader, StringComparison.Ordinal));
        Assert.True(start >= 0, $"README.md has no line starting with {TableHeader}");
        var rows = readme.Skip(start + 2).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim().Replace("`", "", StringComparison.Ordinal)).ToArray())
            .ToList();

        var expected = SettingDefinitions.All
            .Select(d => new[] { d.Name, d.HoconKey, $"{ActorFeedOptions.SectionName}__{d.Name}", d.DefaultText, d.Description })
            .Concat(HostingOnlyOptions.Select(name => new[] { name, HostingOnly, $"{ActorFeedOptions.SectionName}__{name}",
                typeof(ActorFeedOptions).GetProperty(name)!.GetValue(new ActorFeedOptions())!.ToString()!, null! }))   // its meaning is free text
            .ToList();

        var problems = new List<string>();
        var byOption = rows.GroupBy(r => r[0]).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (option, found) in byOption.Where(kv => kv.Value.Count > 1)) problems.Add($"{option}: {found.Count} rows");
        foreach (var want in expected)
        {
            if (!byOption.TryGetValue(want[0], out var found)) { problems.Add($"{want[0]}: no row"); continue; }
            var row = found[0];
            if (row.Length != want.Length) { problems.Add($"{want[0]}: {row.Length} columns, want {want.Length}"); continue; }
            string[] columns = ["option", "HOCON key", "environment variable", "default", "meaning"];
            for (var i = 1; i < want.Length; i++)
                if (want[i] is not null && row[i] != want[i])
                    problems.Add($"{want[0]}: {columns[i]} is '{row[i]}', want '{want[i]}'");
        }
        foreach (var extra in byOption.Keys.Except(expected.Select(w => w[0]))) problems.Add($"{extra}: no such option");

        Assert.True(problems.Count == 0,
            "README.md's configuration table disagrees with SettingDefinitions:\n  " + string.Join("\n  ", problems) +
            "\nThe rows of the definitions:\n" + string.Join("\n", SettingDefinitions.All.Select(MarkdownRow)));
    }

    private static string MarkdownRow(SettingDefinition d) =>
        $"| {d.Name} | `{d.HoconKey}` | `{ActorFeedOptions.SectionName}__{d.Name}` | `{d.DefaultText}` | {d.Description} |";
}
