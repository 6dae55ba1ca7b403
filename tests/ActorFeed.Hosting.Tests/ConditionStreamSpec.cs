using System.Threading.Channels;
using Akka.Actor;
using ActorFeed.Messages;
using ActorFeed.Testing;
using ActorFeed.Testing.Fakes;

namespace ActorFeed.Hosting.Tests;

/// <summary>
/// <see cref="ConditionStream"/> (IActorFeedClient.WatchCondition) over the real feed on a fake server: snapshot then
/// changes, disposal clears the condition, a rejection ends it with the reason, the feed stopping ends it cleanly.
/// </summary>
public sealed class ConditionStreamSpec : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly ActorSystem _system = ActorSystem.Create("condition-stream-" + Guid.NewGuid().ToString("N")[..8], "akka.loglevel = WARNING");
    private readonly Channel<object> _wire = Channel.CreateUnbounded<object>();
    private readonly IActorRef _feed;
    private FakeTransport _transport = null!;

    public ConditionStreamSpec()
    {
        var wire = _system.ActorOf(Props.Create(() => new Collector(_wire.Writer)));
        var time = new ManualTime(DateTimeOffset.UtcNow);
        _feed = Feed.Start(_system, TestSettings.VirtualTime, new FeedDependencies(new FakeTokenClient(ActorRefs.Nobody, time), new FakeServer(wire), time));
    }

    public async Task InitializeAsync()
    {
        _transport = (await Next<TransportCreated>()).Transport;
        Assert.Contains("LOGIN", await Sent());
        _transport.Push("""{"trnm":"LOGIN","return_code":0,"return_msg":""}""");
    }

    public Task DisposeAsync() => _system.Terminate();

    private async Task<T> Next<T>()
    {
        using var cts = new CancellationTokenSource(Wait);
        while (true)
            if (await _wire.Reader.ReadAsync(cts.Token) is T found) return found;
    }

    private async Task<string> Sent() => (await Next<SentFrame>()).Text;

    private static async Task<ConditionEvent> Read(ConditionStream stream)
    {
        using var cts = new CancellationTokenSource(Wait);
        return await stream.ReadAsync(cts.Token);
    }

    [Fact]
    public async Task Condition_stream_must_yield_the_snapshot_then_the_changes_and_clear_the_condition_when_disposed()
    {
        var stream = ConditionStream.Watch(_system, _feed, 1);
        Assert.Equal("""{"trnm":"CNSRLST"}""", await Sent());
        _transport.Push("""{"trnm":"CNSRLST","return_code":0,"data":[["1","급등"]]}""");
        Assert.Contains("\"search_type\":\"1\"", await Sent());
        _transport.Push("""{"trnm":"CNSRREQ","seq":"1","return_code":0,"data":[{"jmcode":"A005930"}]}""");
        var snapshot = Assert.IsType<ConditionSnapshot>(await Read(stream));
        Assert.Equal((1, "급등"), (snapshot.Seq, snapshot.Name));
        Assert.Equal(["005930"], snapshot.Codes);
        _transport.Push("""{"trnm":"REAL","data":[{"type":"02","values":{"841":"1","9001":"A000660","843":"I","20":"100000"}}]}""");
        Assert.Equal("000660", Assert.IsType<ConditionEntered>(await Read(stream)).Code);
        _transport.Push("""{"trnm":"REAL","data":[{"type":"02","values":{"841":"1","9001":"A005930","843":"D","20":"100001"}}]}""");
        Assert.Equal("005930", Assert.IsType<ConditionLeft>(await Read(stream)).Code);

        await stream.DisposeAsync();
        Assert.Equal("""{"trnm":"CNSRCLR","seq":"1"}""", await Sent());        // its last subscriber left
        await foreach (var _ in stream) Assert.Fail("the stream ended");
        Assert.Null(stream.EndReason);
    }

    [Fact]
    public async Task Condition_stream_must_end_with_the_reason_when_the_condition_is_rejected()
    {
        await using var stream = ConditionStream.Watch(_system, _feed, 9);
        Assert.Equal("""{"trnm":"CNSRLST"}""", await Sent());
        _transport.Push("""{"trnm":"CNSRLST","return_code":0,"data":[["1","급등"]]}""");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => { await foreach (var _ in stream) { } });
        Assert.Contains("not in the server's list", error.Message);
        Assert.Contains("not in the server's list", stream.EndReason);
    }

    [Fact]
    public async Task Condition_stream_must_end_cleanly_when_the_feed_stops()
    {
        await using var stream = ConditionStream.Watch(_system, _feed, 1);
        await Sent();
        _system.Stop(_feed);
        using var cts = new CancellationTokenSource(Wait);
        await foreach (var _ in stream.WithCancellation(cts.Token)) Assert.Fail("nothing was answered");
        Assert.Equal(ConditionStream.FeedStoppedReason, stream.EndReason);
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(ChannelWriter<object> writer) => ReceiveAny(m => writer.TryWrite(m));
    }
}
