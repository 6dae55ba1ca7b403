using System.Diagnostics;
using System.Net;
using ActorFeed.Actors;
using ActorFeed.IntegrationTests.Support;
using ActorFeed.Messages;
using Xunit.Abstractions;

namespace ActorFeed.IntegrationTests;

/// <summary>Faults below the WebSocket layer, through the TCP fault proxy.</summary>
public sealed class ProxyFaultSpec(ITestOutputHelper output) : IntegrationSpec(output)
{
    private static readonly string[] Codes3 = ["005930", "000660", "035420"];

    private async Task<(TcpFaultProxy Proxy, Uri Url)> ProxyAsync()
    {
        await Task.CompletedTask;
        var proxy = new TcpFaultProxy(new IPEndPoint(IPAddress.Loopback, Sim.WebSocketUrl.Port));
        return (proxy, new UriBuilder(Sim.WebSocketUrl) { Port = proxy.Port }.Uri);
    }

    [Fact]
    public async Task A_blackholed_link_must_be_detected_by_the_keepalive_and_recovered()
    {
        var (proxy, url) = await ProxyAsync();
        await using var _ = proxy;
        var feed = StartFeed(FastSettings(url));
        ExpectState(FeedState.Connected);
        var collector = SubscribeAndAwaitTicks(feed, Codes3);
        var t0 = Stopwatch.GetTimestamp();
        proxy.Blackhole();
        var decision = ExpectDecision("connection");
        var detect = Stopwatch.GetElapsedTime(t0);
        Assert.Equal(FeedFailureException.Causes.KeepAliveTimeout, decision.Cause);
        var recover = AwaitAllTicked(collector, Codes3, t0);
        Report("blackhole", detect, recover);
    }

    [Fact]
    public async Task A_reset_link_must_be_detected_at_once_and_recovered()
    {
        var (proxy, url) = await ProxyAsync();
        await using var _ = proxy;
        var feed = StartFeed(FastSettings(url));
        ExpectState(FeedState.Connected);
        var collector = SubscribeAndAwaitTicks(feed, Codes3);
        var t0 = Stopwatch.GetTimestamp();
        proxy.ResetAll();
        var decision = ExpectDecision("connection");
        var detect = Stopwatch.GetElapsedTime(t0);
        Assert.Equal(FeedFailureException.Causes.ConnectionLost, decision.Cause);
        var recover = AwaitAllTicked(collector, Codes3, t0);
        Report("reset", detect, recover);
    }

    [Fact]
    public async Task Added_latency_must_not_cost_the_connection()
    {
        var (proxy, url) = await ProxyAsync();
        await using var _ = proxy;
        proxy.Latency = TimeSpan.FromMilliseconds(100);
        var feed = StartFeed(FastSettings(url));
        ExpectState(FeedState.Connected);
        var collector = SubscribeAndAwaitTicks(feed, Codes3);
        AwaitAllTicked(collector, Codes3, Stopwatch.GetTimestamp());
        Assert.Equal(1, Sim.Record.Read(r => r.ConnectionAttempts));
    }
}
