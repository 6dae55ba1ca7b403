using Akka.Configuration;
using ActorFeed.Settings;

namespace ActorFeed.Tests.Settings;

public sealed class ActorFeedSettingsSpec
{
    [Fact]
    public void Defaults_must_come_from_the_embedded_reference_configuration()
    {
        var s = ActorFeedSettings.Default;
        Assert.Equal(TimeSpan.FromSeconds(20), s.KeepAliveInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), s.KeepAliveTimeout);
        Assert.Equal(100, s.MaxItemsPerRequest);
        Assert.Equal(TimeSpan.FromMinutes(5), s.PermanentFailureBackoff);
        Assert.Equal(new Uri("wss://mockapi.kiwoom.com:10000/api/dostk/websocket"), s.WebSocketUrl);
        Assert.Equal(s, new ActorFeedSettings() with { });                     // the record defaults match the HOCON
    }

    [Fact]
    public void Settings_must_take_overrides_from_hocon()
    {
        var s = ActorFeedSettings.FromConfig(ConfigurationFactory.ParseString("""
            actorfeed.backoff.min = 50ms
            actorfeed.subscription.max-items-per-request = 40
            actorfeed.websocket-url = "ws://127.0.0.1:5000/api/dostk/websocket"
            """));
        Assert.Equal(TimeSpan.FromMilliseconds(50), s.BackoffMin);
        Assert.Equal(40, s.MaxItemsPerRequest);
        Assert.Equal(TimeSpan.FromSeconds(30), s.BackoffMax);               // untouched keys keep their defaults
    }

    [Theory]
    [InlineData("actorfeed.backoff.max = 10ms", "actorfeed.backoff.max")]
    [InlineData("actorfeed.subscription.max-items-per-request = 0", "actorfeed.subscription.max-items-per-request")]
    [InlineData("actorfeed.websocket-url = \"http://x\"", "actorfeed.websocket-url")]
    [InlineData("actorfeed.rest-base-url = \"not a url\"", "actorfeed.rest-base-url")]
    [InlineData("actorfeed.subscription.group = \"12345\"", "actorfeed.subscription.group")]
    [InlineData("actorfeed.backoff.random-factor = 2", "actorfeed.backoff.random-factor")]
    [InlineData("actorfeed.connection.idle-timeout = 0s", "actorfeed.connection.idle-timeout")]
    public void Invalid_values_must_be_rejected_naming_the_key(string hocon, string key)
    {
        var e = Assert.Throws<ActorFeedSettingException>(() => ActorFeedSettings.FromConfig(ConfigurationFactory.ParseString(hocon)));
        Assert.Contains($"'{key}'", e.Message);
    }

    [Fact]
    public void ToString_must_not_show_secrets()
    {
        var s = ActorFeedSettings.Default with { AppKey = "APPKEY-0123456789-abcdefghij", SecretKey = "SECRET-9876543210-zyxwvutsrq" };
        var text = s.ToString();
        Assert.DoesNotContain("APPKEY-0123456789", text);
        Assert.DoesNotContain("SECRET-9876543210", text);
        Assert.Contains("***", text);
    }

    [Fact]
    public void Backoff_policy_must_grow_exponentially_cap_at_max_and_jitter_upwards()
    {
        var p = new BackoffPolicy(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2, TimeSpan.FromMinutes(5));
        Assert.Equal([1, 2, 4, 8, 16, 30, 30], Enumerable.Range(1, 7).Select(a => (int)p.DelayFor(a, FailureKind.Transient, 0).TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(36), p.DelayFor(10, FailureKind.Transient, 1));
        Assert.Equal(TimeSpan.FromMinutes(5), p.DelayFor(1, FailureKind.Permanent, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(30), p.DelayFor(1000, FailureKind.Transient, 0));
    }
}
