using ActorFeed.Simulator;
using ActorFeed.Testing;

namespace ActorFeed.Cluster.Tests;

/// <summary>The simulator's live-session record sees two sessions of one key when there are two: the cluster tests'
/// "at most one" is not true by construction.</summary>
[Collection("cluster")]
public sealed class SessionRecordSpec() : Akka.TestKit.Xunit2.TestKit(TestKitConfig.With("akka.loglevel = WARNING")), IAsyncLifetime
{
    private KiwoomSimulator _sim = null!;

    public async Task InitializeAsync() => _sim = await KiwoomSimulator.StartAsync();

    public async Task DisposeAsync()
    {
        await Sys.Terminate();
        await _sim.DisposeAsync();
    }

    [Fact]
    public async Task Simulator_record_must_show_the_overlap_and_the_R10001_when_two_feeds_share_an_app_key()
    {
        var settings = TestSettings.Loopback(_sim.RestBaseUrl, _sim.WebSocketUrl);
        Feed.Start(Sys, settings, FeedDependencies.Real(settings), "first");
        await _sim.Record.WaitUntilAsync(r => r.LoginsAccepted == 1, TestKitConfig.Dilated(TimeSpan.FromSeconds(10)), "first LOGIN");
        Assert.Empty(_sim.Record.LiveSessionOverlaps(settings.AppKey));
        Assert.Equal(1, _sim.Record.MaxConcurrentLiveSessions(settings.AppKey));

        Feed.Start(Sys, settings, FeedDependencies.Real(settings), "second");
        await _sim.Record.WaitUntilAsync(r => r.Sessions.Any(s => s.KickedByDuplicateLogin && s.ClosedAt is not null),
            TestKitConfig.Dilated(TimeSpan.FromSeconds(10)), "a session kicked with R10001 and closed");

        var (first, second) = _sim.Record.LiveSessionOverlaps(settings.AppKey).First(o => o.First.KickedByDuplicateLogin && o.First.ClosedAt is not null);
        Assert.True(first.ClosedAt >= second.LoggedInAt);          // the kick closes the old one after the new LOGIN
        Assert.Equal(2, _sim.Record.MaxConcurrentLiveSessions(settings.AppKey));
        Assert.Equal(0, _sim.Record.MaxConcurrentLiveSessions("another-app-key"));
    }
}
