using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using ActorFeed.Diagnostics;
using ActorFeed.Messages;
using Xunit.Abstractions;

namespace ActorFeed.IntegrationTests;

/// <summary>Rows of the failure table on real sockets that the recovery specs do not cover: the token endpoint
/// refusing or never answering, a subscriber that dies, an oversized frame, unknown frames and their metric.</summary>
public sealed class FailureTableSpec(ITestOutputHelper output) : IntegrationSpec(output)
{
    private static readonly string[] Codes3 = ["005930", "000660", "035420"];

    [Fact]
    public void A_token_endpoint_that_refuses_connections_must_be_retried_with_backoff_and_no_socket_opened()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();                                                     // nothing listens there any more: refused
        StartFeed(FastSettings() with { RestBaseUrl = new Uri($"http://127.0.0.1:{port}") });
        var first = ExpectDecision(FeedComponent.Token);
        Assert.Equal(FeedFailureException.Causes.TokenService, first.Cause);
        Assert.Contains("failed", first.Detail);
        Assert.Equal(FeedFailureException.Causes.TokenService, ExpectState(FeedState.Authenticating).Cause);
        var second = ExpectDecision(FeedComponent.Token);
        Assert.Equal(2, second.Attempt);
        Assert.True(second.Delay >= 2 * FastSettings().TokenBackoffMin, $"{second.Delay} after {first.Delay}: not backing off");
        AssertConnectionAttempts(0);
    }

    [Fact]
    public async Task A_token_endpoint_that_never_answers_must_time_out_after_the_request_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<TcpClient>();
        var accepting = Task.Run(async () => { while (true) accepted.Add(await silent.AcceptTcpClientAsync()); });
        var timeout = TimeSpan.FromSeconds(1);
        var t0 = Stopwatch.GetTimestamp();
        StartFeed(FastSettings() with { RestBaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}"), TokenRequestTimeout = timeout });
        var decision = ExpectDecision(FeedComponent.Token);
        var elapsed = Stopwatch.GetElapsedTime(t0);
        Assert.Equal(FeedFailureException.Causes.TokenService, decision.Cause);
        Assert.Contains("timed out after 00:00:01", decision.Detail);
        // CancelAfter runs on the coarse timer clock: allow it 50 ms early against the Stopwatch
        Assert.True(elapsed >= timeout - TimeSpan.FromMilliseconds(50), $"gave up after {elapsed}, before the request timeout");
        AssertConnectionAttempts(0);
        silent.Stop();
        foreach (var c in accepted) c.Dispose();
        await Assert.ThrowsAnyAsync<Exception>(() => accepting);
    }

    [Fact]
    public async Task A_subscriber_that_dies_must_be_dropped_and_its_last_code_REMOVEd_on_the_server()
    {
        var (feed, collector) = ConnectedWithTicks(Codes3);
        var other = SubscribeAndAwaitTicks(feed, ["005930"]);              // 005930 has a second subscriber
        Sys.Stop(collector);
        await Sim.Record.WaitUntilAsync(r => r.Sessions.Last().RemoveRequests.Count == 2, Wait, "REMOVE of the codes only the dead subscriber had");
        Sim.Record.Read(r =>
        {
            var session = r.Sessions.Last();
            Assert.Equal(["000660/0B", "035420/0B"], session.RemoveRequests.Order());
            Assert.Equal(["005930/0B"], session.Registered);
            return true;
        });
        AwaitAllTicked(other, ["005930"], Stopwatch.GetTimestamp());      // the living subscriber still gets its ticks
        feed.Tell(GetFeedStatus.Instance);
        Assert.Equal(1, ExpectMsg<FeedStatus>().DesiredSubscriptions);
        AssertConnectionAttempts(1);
    }

    [Fact]
    public void A_frame_larger_than_max_frame_bytes_must_fail_the_link_naming_the_setting()
    {
        // 40 codes at 20 ticks/s each, a frame every 20 ms: about 16 entries (~4 KB) per frame, over the 1 KB limit
        var codes = Codes(40);
        var startedAt = Stopwatch.GetTimestamp();
        var feed = StartFeed(FastSettings() with { MaxFrameBytes = 1024 });
        ExpectState(FeedState.Connected);
        foreach (var c in codes) feed.Tell(new Subscribe(c, "0B", TestActor));
        var decision = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FeedFailureException.Causes.ConnectionLost, decision.Cause);
        Assert.Contains("larger than 1024 bytes (actorfeed.connection.max-frame-bytes)", decision.Detail);
        Sim.Record.Read(r => { Assert.All(r.Sessions, s => Assert.Equal(0, s.DuplicateRegistrations)); return true; });
        // each oversized frame costs one link; the backoff bounds how many the feed opened meanwhile
        var attempts = Sim.Record.Read(r => r.ConnectionAttempts);
        Assert.InRange(attempts, 1, MaxAttempts(FastSettings(), Stopwatch.GetElapsedTime(startedAt)));
    }

    [Fact]
    public void Unknown_and_malformed_frames_must_be_logged_and_counted_by_kind_and_cost_nothing()
    {
        var feedTag = $"{Sys.Name}/{Feed.DefaultName}";
        var kinds = new List<string>();
        using var meter = new MeterListener();
        meter.InstrumentPublished = (i, l) => { if (i.Meter.Name == FeedMetrics.MeterName && i.Name == "actorfeed.decode_errors") l.EnableMeasurementEvents(i); };
        meter.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? feed = null, kind = null;
            foreach (var tag in tags) { if (tag.Key == "feed") feed = tag.Value as string; if (tag.Key == "kind") kind = tag.Value as string; }
            if (feed == feedTag) lock (kinds) kinds.Add(kind!);
        });
        meter.Start();
        var logs = new LogCollector(Sys);
        var (_, collector) = ConnectedWithTicks(Codes3);
        EventFilter.Warning(contains: "unknown trnm").ExpectOne(Wait, () => Sim.InjectBadFrames(2));
        AwaitAssert(() => { lock (kinds) Assert.Equal(["malformed", "malformed", "unknown"], kinds.Order()); }, Wait);
        var lines = logs.Snapshot(this);                                   // one line per kind at once; the repeat is counted only
        Assert.Single(lines, l => l.Contains("Ignored a malformed frame"));
        Assert.Single(lines, l => l.Contains("unknown trnm"));
        AwaitAllTicked(collector, Codes3, Stopwatch.GetTimestamp());
        AssertServerRegistrations(Codes3);
        AssertConnectionAttempts(1);
    }
}
