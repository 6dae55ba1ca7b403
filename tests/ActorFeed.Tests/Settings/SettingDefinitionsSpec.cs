using System.Reflection;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using ActorFeed.Settings;

namespace ActorFeed.Tests.Settings;

public sealed class SettingDefinitionsSpec
{
    [Fact]
    public void Setting_table_must_define_every_settings_property_once_with_a_getter_and_setter_on_that_property()
    {
        var properties = typeof(ActorFeedSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is not null)                               // computed ones (HasCredentials) have no setter
            .ToDictionary(p => p.Name);
        Assert.Equal(properties.Keys.Order(), SettingDefinitions.All.Select(d => d.Name).Order());
        Assert.Equal(SettingDefinitions.All.Count, SettingDefinitions.All.Select(d => d.HoconKey).Distinct().Count());

        foreach (var d in SettingDefinitions.All)
        {
            Assert.Equal(properties[d.Name].PropertyType, d.ValueType);
            Assert.Same(d, SettingDefinitions.Find(d.Name));
            Assert.Same(d, SettingDefinitions.Find(d.HoconKey));
            var other = SettingValues.Other(d);
            var changed = d.WithValue(ActorFeedSettings.Default, other);
            Assert.Equal(other, properties[d.Name].GetValue(changed));
            Assert.Equal(other, d.GetValue(changed));
            foreach (var rest in SettingDefinitions.All.Where(r => r != d))     // and nothing else
                Assert.Equal(rest.GetValue(ActorFeedSettings.Default), properties[rest.Name].GetValue(changed));
        }
        Assert.Null(SettingDefinitions.Find("NoSuchSetting"));
    }

    [Fact]
    public void Embedded_reference_hocon_must_define_exactly_the_keys_of_the_table_with_their_defaults()
    {
        var keys = new List<string>();
        CollectLeaves(ActorFeedSettings.ReferenceConfig.Root, "", keys);
        Assert.Equal(SettingDefinitions.All.Select(d => d.HoconKey).Order(), keys.Order());

        var fromHocon = ActorFeedSettings.FromConfig(ActorFeedSettings.ReferenceConfig);
        foreach (var d in SettingDefinitions.All)
        {
            Assert.Equal(d.DefaultValue, d.GetValue(fromHocon));
            Assert.Equal(d.DefaultValue, d.GetValue(new ActorFeedSettings()));  // the record's initializers are the table's defaults
            Assert.Equal(d.DefaultValue, d.GetValue(ActorFeedSettings.FromConfig(ConfigurationFactory.ParseString($"{d.HoconKey} = {d.DefaultText}"))));
        }
    }

    [Fact]
    public void Validate_must_report_every_invalid_key_at_once()
    {
        var e = Assert.Throws<ActorFeedSettingException>(() => ActorFeedSettings.FromConfig(ConfigurationFactory.ParseString("""
            actorfeed.backoff.max = 10ms
            actorfeed.subscription.group = "12345"
            actorfeed.connection.idle-timeout = soon
            actorfeed.websocket-url = "not a url"
            actorfeed.connection.max-frame-bytes = many
            actorfeed.token.revoke-on-stop = maybe
            """)));
        Assert.Equal(
            ["actorfeed.websocket-url", "actorfeed.token.revoke-on-stop", "actorfeed.connection.idle-timeout", "actorfeed.connection.max-frame-bytes", "actorfeed.backoff.max", "actorfeed.subscription.group"],
            e.Errors.Select(x => x.Key));
        foreach (var error in e.Errors) Assert.Contains($"'{error.Key}': {error.Problem}", e.Message);
        Assert.StartsWith("Invalid ActorFeed settings (6): 'actorfeed.websocket-url': 'not a url' is not an absolute URL;", e.Message);
        Assert.Contains("'soon' is not a duration", e.Message);
        Assert.Contains("'maybe' is not true or false", e.Message);
        Assert.Equal("actorfeed.websocket-url", e.Key);                          // the first, as ParamName too
        Assert.Equal("actorfeed.websocket-url", e.ParamName);

        var invalid = ActorFeedSettings.Default with { MaxItemsPerRequest = 0, BackoffRandomFactor = 2, ShutdownTimeout = TimeSpan.Zero };
        var all = Assert.Throws<ActorFeedSettingException>(invalid.Validate);
        Assert.Equal(["actorfeed.backoff.random-factor", "actorfeed.subscription.max-items-per-request", "actorfeed.shutdown.timeout"], all.Errors.Select(x => x.Key));
    }

    [Fact]
    public void Setting_exception_must_keep_the_one_error_message()
    {
        var e = new ActorFeedSettingException("actorfeed.backoff.max", "must be at least actorfeed.backoff.min");
        Assert.Equal("Invalid ActorFeed setting 'actorfeed.backoff.max': must be at least actorfeed.backoff.min.", e.Message);
        Assert.Equal("actorfeed.backoff.max", e.Key);
        Assert.Equal("must be at least actorfeed.backoff.min", e.Problem);
        Assert.Single(e.Errors);
    }

    [Fact]
    public void Default_text_must_be_the_HOCON_literal_of_the_default()
    {
        Assert.Equal("\"\"", SettingDefinitions.Find("AppKey")!.DefaultText);
        Assert.Equal("\"https://mockapi.kiwoom.com\"", SettingDefinitions.Find("RestBaseUrl")!.DefaultText);
        Assert.Equal("10m", SettingDefinitions.Find("TokenRefreshBeforeExpiry")!.DefaultText);
        Assert.Equal("30s", SettingDefinitions.Find("BackoffMax")!.DefaultText);
        Assert.Equal("0s", SettingDefinitions.Find("ReplayBatchInterval")!.DefaultText);
        Assert.Equal("0.2", SettingDefinitions.Find("BackoffRandomFactor")!.DefaultText);
        Assert.Equal("4194304", SettingDefinitions.Find("MaxFrameBytes")!.DefaultText);
        Assert.Equal("false", SettingDefinitions.Find("RevokeTokenOnStop")!.DefaultText);
        Assert.Equal("500ms", HoconText.Duration(TimeSpan.FromMilliseconds(500)));
    }

    private static void CollectLeaves(HoconValue value, string path, List<string> keys)
    {
        if (value.IsObject())
            foreach (var (name, child) in value.GetObject().Items)
                CollectLeaves(child, path.Length == 0 ? name : $"{path}.{name}", keys);
        else
            keys.Add(path);
    }
}
