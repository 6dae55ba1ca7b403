using System.Diagnostics;
using System.Net;
using ActorFeed.IntegrationTests.Support;
using Xunit.Abstractions;

namespace ActorFeed.IntegrationTests;

/// <summary>Faults below the WebSocket layer, through the TCP fault proxy.</summary>
public sealed class ProxyFaultSpec(ITestOutputHelper output) : IntegrationSpec(output)
{
    private static readonly string[] Codes3 = ["005930", "000660", "035420"];

    private TcpFaultProxy Proxy() => new(new IPEndPoint(IPAddress.Loopback, Sim.WebSocketUrl.Port));

    private Uri Through(TcpFaultProxy proxy) => new UriBuilder(Sim.WebSocketUrl) { Port = proxy.Port }.Uri;

    [Fact]
    public async Task A_blackholed_link_must_be_detected_by_the_pong_timeout_and_recovered()
    {
        await using var proxy = Proxy();
        // the pong timeout alone: a long idle watchdog cannot be what notices
        var settings = FastSettings(Through(proxy)) with { KeepAliveTimeout = TimeSpan.FromSeconds(1), IdleTimeout = TimeSpan.FromSeconds(60) };
        var (_, collector) = ConnectedWithTicks(Codes3, settings);
        var t0 = Stopwatch.GetTimestamp();
        proxy.Blackhole();
        var decision = ExpectDecision(FeedComponent.Connection);
        var detect = Stopwatch.GetElapsedTime(t0);
        Assert.Equal(FeedFailureException.Causes.KeepAliveTimeout, decision.Cause);
        Assert.DoesNotContain("idle watchdog", decision.Detail);
        Assert.True(detect < TimeSpan.FromSeconds(30), $"detected after {detect}: not the pong timeout");
        var recover = AwaitRecovered(collector, Codes3, t0);
        Report("blackhole", detect, recover);
        AssertServerRegistrations(Codes3);
        AssertConnectionAttempts(2);
    }

    [Fact]
    public async Task A_reset_link_must_be_detected_and_recovered()
    {
        await using var proxy = Proxy();
        var (_, collector) = ConnectedWithTicks(Codes3, FastSettings(Through(proxy)));
        var t0 = Stopwatch.GetTimestamp();
        proxy.ResetAll();
        var decision = ExpectDecision(FeedComponent.Connection);
        var detect = Stopwatch.GetElapsedTime(t0);
        Assert.Equal(FeedFailureException.Causes.ConnectionLost, decision.Cause);
        var recover = AwaitRecovered(collector, Codes3, t0);
        Report("reset", detect, recover);
        AssertServerRegistrations(Codes3);
        AssertConnectionAttempts(2);
    }

    [Fact]
    public async Task Added_latency_must_not_cost_the_connection()
    {
        await using var proxy = Proxy();
        proxy.Latency = TimeSpan.FromMilliseconds(100);       // a ping round trip of ~200 ms against a 5 s pong timeout
        var (_, collector) = ConnectedWithTicks(Codes3, FastSettings(Through(proxy)));
        AwaitAllTicked(collector, Codes3, Stopwatch.GetTimestamp());
        AssertServerRegistrations(Codes3);
        AssertConnectionAttempts(1);
    }
}
