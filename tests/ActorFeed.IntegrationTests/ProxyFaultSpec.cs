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

    [Theory]
    [InlineData("blackhole", FeedFailureException.Causes.KeepAliveTimeout)]     // pongs stop: ClientWebSocket's keepalive timeout
    [InlineData("reset", FeedFailureException.Causes.ConnectionLost)]
    public async Task A_broken_link_must_be_detected_and_recovered(string fault, string cause)
    {
        await using var proxy = Proxy();
        var (_, collector) = ConnectedWithTicks(Codes3, FastSettings(Through(proxy)));
        var t0 = Stopwatch.GetTimestamp();
        if (fault == "blackhole") proxy.Blackhole();
        else proxy.ResetAll();
        var decision = ExpectDecision(FeedComponent.Connection);
        var detect = Stopwatch.GetElapsedTime(t0);
        Assert.Equal(cause, decision.Cause);
        var recover = AwaitAllTicked(collector, Codes3, t0);
        Report(fault, detect, recover);
    }

    [Fact]
    public async Task Added_latency_must_not_cost_the_connection()
    {
        await using var proxy = Proxy();
        proxy.Latency = TimeSpan.FromMilliseconds(100);
        var (_, collector) = ConnectedWithTicks(Codes3, FastSettings(Through(proxy)));
        AwaitAllTicked(collector, Codes3, Stopwatch.GetTimestamp());
        Assert.Equal(1, Sim.Record.Read(r => r.ConnectionAttempts));
    }
}
