using System.Text;
using Akka.TestKit.Xunit2;
using ActorFeed.Testing.Fakes;
using Xunit.Abstractions;
using static ActorFeed.Connection.ConnectionActor;

namespace ActorFeed.Tests.Connection;

/// <summary>The receive loop alone, on a fake transport, reporting to a probe in the ConnectionActor's place.</summary>
public sealed class SocketLoopsSpec(ITestOutputHelper output) : TestKit(TestKitConfig.With(""), "socketloops", output)
{
    [Fact]
    public async Task Receive_loop_must_turn_a_decoder_exception_into_a_malformed_frame_and_keep_receiving()
    {
        var wire = CreateTestProbe();
        var actor = CreateTestProbe();
        var decoder = new KiwoomDecoder();
        KiwoomFrame Decode(byte[] data, DateTimeOffset at) => Encoding.UTF8.GetString(data) switch
        {
            "boom" => throw new InvalidOperationException("decoder bug"),
            "index" => throw new IndexOutOfRangeException(),
            "custom" => throw new DecoderBugException(),
            _ => decoder.Decode(data, at),
        };
        using var loops = new SocketLoops(new("feed", "test"), decode: Decode);
        var transport = (FakeTransport)new FakeServer(wire).Create();
        await loops.ConnectAsync(transport, new Uri("ws://127.0.0.1:1/"));
        loops.Start(actor);

        foreach (var (text, type) in new[] { ("boom", "InvalidOperationException"), ("index", "IndexOutOfRangeException"), ("custom", "DecoderBugException") })
        {
            transport.Push(text);
            var bad = Assert.IsType<MalformedFrame>(actor.ExpectMsg<FrameReceived>().Frame);
            Assert.StartsWith($"decoder failed: {type}", bad.Reason);
        }
        transport.Push("""{"trnm":"PING"}""");
        Assert.IsType<PingFrame>(actor.ExpectMsg<FrameReceived>().Frame);       // the loop is still receiving
        Assert.True(loops.TakeFrameSeen());                                      // every frame counts as traffic for the idle watchdog
        Assert.False(loops.TakeRealSeen());                                      // but only REAL counts as data for the data watchdog
    }

    [Fact]
    public async Task Receive_loop_must_flag_REAL_frames_for_the_data_watchdog_and_nothing_else()
    {
        var wire = CreateTestProbe();
        var actor = CreateTestProbe();
        using var loops = new SocketLoops(new("feed", "test"));
        var transport = (FakeTransport)new FakeServer(wire).Create();
        await loops.ConnectAsync(transport, new Uri("ws://127.0.0.1:1/"));
        loops.Start(actor);

        transport.Push("""{"trnm":"PING"}""");
        transport.Push("""{"trnm":"REG","return_code":0,"return_msg":""}""");
        transport.Push("""{"trnm":"SYSTEM","code":"R10002","message":"notice"}""");
        for (var i = 0; i < 3; i++) actor.ExpectMsg<FrameReceived>();
        Assert.True(loops.TakeFrameSeen());
        Assert.False(loops.TakeRealSeen());                                      // PING, reply and SYSTEM are not data

        transport.Push("""{"trnm":"REAL","data":[{"type":"0B","name":"x","item":"005930","values":{"10":"100"}}]}""");
        transport.Push("""{"trnm":"PING"}""");
        actor.ExpectMsg<FrameReceived>();                                        // the PING after it: the REAL was handled
        Assert.True(loops.TakeRealSeen());
        Assert.False(loops.TakeRealSeen());                                      // taken: the next check starts afresh
    }

    [Fact]
    public async Task Receive_loop_must_flag_only_REAL_frames_holding_market_data_for_the_data_watchdog()
    {
        var wire = CreateTestProbe();
        var actor = CreateTestProbe();
        using var loops = new SocketLoops(new("feed", "test"));
        var transport = (FakeTransport)new FakeServer(wire).Create();
        await loops.ConnectAsync(transport, new Uri("ws://127.0.0.1:1/"));
        loops.Start(actor);

        // condition changes (02), session pushes (0s), VI (1h) and the per-account types (00, 04) are events, not market data
        transport.Push("""{"trnm":"REAL","data":[{"type":"02","name":"조건검색","item":"A005930","values":{"841":"1","9001":"A005930","843":"I","20":"093015"}},{"type":"02","item":"A000660","values":{"841":"1","9001":"A000660","843":"D","20":"093015"}}]}""");
        transport.Push("""{"trnm":"REAL","data":[{"type":"0s","name":"장시작시간","item":"","values":{"215":"3","20":"090000"}},{"type":"1h","name":"VI발동/해제","item":"005930","values":{"9068":"1"}}]}""");
        transport.Push("""{"trnm":"REAL","data":[{"type":"00","name":"주문체결","item":"","values":{"9203":"0000123"}},{"type":"04","name":"잔고","item":"","values":{"9201":"1234"}}]}""");
        transport.Push("""{"trnm":"REAL","data":[{"type":"ZZ","item":"005930","values":{"10":"100"}}]}""");   // a type nobody subscribes
        transport.Push("""{"trnm":"PING"}""");
        actor.FishForMessage(m => m is FrameReceived { Frame: PingFrame });      // every REAL before it was handled
        Assert.True(loops.TakeFrameSeen());
        Assert.False(loops.TakeRealSeen());

        // one market-data entry among condition changes is enough
        transport.Push("""{"trnm":"REAL","data":[{"type":"02","item":"A005930","values":{"841":"1","9001":"A005930","843":"D"}},{"type":"0B","name":"주식체결","item":"005930","values":{"10":"100"}}]}""");
        transport.Push("""{"trnm":"PING"}""");
        actor.FishForMessage(m => m is FrameReceived { Frame: PingFrame });
        Assert.True(loops.TakeRealSeen());
    }

    private sealed class DecoderBugException() : Exception("not a JSON problem");
}
