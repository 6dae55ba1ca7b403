using Akka.Configuration;
using ActorFeed.Settings;

namespace ActorFeed.Cluster.Tests;

public sealed class SettingsSpec
{
    [Fact]
    public void Cluster_settings_must_read_app_keys_roles_and_the_cap_from_hocon()
    {
        var s = ActorFeedClusterSettings.FromConfig(ConfigurationFactory.ParseString("""
            actorfeed.cluster {
              max-codes-per-session = 40
              app-keys = [
                { name = k1, app-key = "APPKEY-ONE-0123456789", secret-key = "SECRET-ONE-0123456789" }
                { name = k2, app-key = "APPKEY-TWO-0123456789", secret-key = "SECRET-TWO-0123456789", role = actorfeed-k2 }
              ]
            }
            """));
        Assert.Equal(40, s.MaxCodesPerSession);
        Assert.Equal(ActorFeedClusterSettings.DefaultRole, s.Role);
        Assert.Equal(["k1", "k2"], s.AppKeys.Select(k => k.Name));
        Assert.Equal("APPKEY-TWO-0123456789", s.AppKeys[1].AppKey);
        Assert.Equal(["actorfeed", "actorfeed-k2"], s.AppKeys.Select(s.RoleOf));
    }

    [Fact]
    public void Cluster_settings_must_report_every_error_by_key_and_never_a_secret()
    {
        var e = Assert.Throws<ActorFeedSettingException>(() => ActorFeedClusterSettings.FromConfig(ConfigurationFactory.ParseString("""
            actorfeed.cluster {
              max-codes-per-session = 0
              app-keys = [
                { name = k1, app-key = "APPKEY-SAME-0123456789", secret-key = "SECRET-ONE-0123456789" }
                { name = k1, app-key = "APPKEY-SAME-0123456789", secret-key = "" }
              ]
            }
            """)));
        Assert.Equal(["actorfeed.cluster.app-keys[1].name", "actorfeed.cluster.app-keys[1].secret-key", "actorfeed.cluster.app-keys",
            "actorfeed.cluster.max-codes-per-session"], e.Errors.Select(x => x.Key));
        Assert.DoesNotContain("APPKEY-SAME", e.Message);
        Assert.DoesNotContain("SECRET-ONE", e.Message);
        Assert.Throws<ActorFeedSettingException>(() => new ActorFeedClusterSettings().Validate());
    }

    [Fact]
    public void App_key_credentials_must_not_show_the_key_or_the_secret()
    {
        var text = new AppKeyCredentials("k1", "APPKEY-ONE-0123456789", "SECRET-ONE-9876543210").ToString();
        Assert.Contains("k1", text);
        Assert.DoesNotContain("APPKEY-ONE", text);
        Assert.DoesNotContain("SECRET-ONE", text);
    }
}
