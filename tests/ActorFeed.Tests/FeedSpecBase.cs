using Akka.Actor;
using Akka.TestKit;
using ActorFeed.Messages;
using ActorFeed.Settings;
using ActorFeed.Testing;
using ActorFeed.Testing.Fakes;
using Xunit.Abstractions;

namespace ActorFeed.Tests;

/// <summary>
/// A feed on fakes, under virtual time (TestScheduler): <see cref="Wire"/> sees every transport created and every
/// frame the client sends; <see cref="TokenCalls"/> sees every token request; <see cref="Events"/> gets
/// <see cref="FeedStatusChanged"/> and <see cref="SupervisionDecision"/> from the EventStream; <see cref="Logs"/>
/// keeps every log line so that tests can check that no secret leaked.
/// </summary>
public abstract class FeedSpecBase : Akka.TestKit.Xunit2.TestKit
{
    public const string AppKey = TestSettings.AppKey;
    public const string SecretKey = TestSettings.SecretKey;

    /// <summary>How long a spec waits to be sure that something did NOT happen (a real-time wait: virtual time does not move).</summary>
    protected static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    private const string TestConfig = """
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        akka.loglevel = DEBUG
        akka.actor.debug.unhandled = on
        # Graceful stop waits on replies the fakes only give in the spec that tests it; other specs just terminate.
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        """;

    protected FeedSpecBase(ITestOutputHelper output)
        : base(TestKitConfig.With(TestConfig), "feedspec-" + Guid.NewGuid().ToString("N")[..8], output)
    {
        Wire = CreateTestProbe("wire");
        TokenCalls = CreateTestProbe("token-calls");
        Events = CreateTestProbe("events").WatchFeedEvents(Sys);
        Server = new FakeServer(Wire);
        Time = new ManualTime(new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero));
        Tokens = new FakeTokenClient(TokenCalls, Time);
        Logs = new LogCollector(Sys);
    }

    protected TestProbe Wire { get; }
    protected TestProbe TokenCalls { get; }
    protected TestProbe Events { get; }
    protected FakeServer Server { get; }
    protected ManualTime Time { get; }
    protected FakeTokenClient Tokens { get; }
    protected LogCollector Logs { get; }
    protected TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    protected ActorFeedSettings Settings { get; set; } = TestSettings.VirtualTime;

    protected IActorRef StartFeed() => Feed.Start(Sys, Settings, new FeedDependencies(Tokens, Server, Time));

    /// <summary>
    /// Moves virtual time to 1 ms before <paramref name="delay"/> has passed and checks that <paramref name="probe"/>
    /// gets nothing yet; then moves the last millisecond. A retry or refresh that comes early fails here.
    /// </summary>
    protected void AdvanceExpectingNothingBefore(TimeSpan delay, TestProbe probe, ManualTime? clock = null)
    {
        var justBefore = delay - TimeSpan.FromMilliseconds(1);
        clock?.Advance(justBefore);
        Scheduler.Advance(justBefore);
        probe.ExpectNoMsg(Quiet);
        clock?.Advance(delay - justBefore);
        Scheduler.Advance(delay - justBefore);
    }

    /// <summary>Waits for the next transport, expects LOGIN with a token, answers success, waits for Connected.</summary>
    protected (FakeTransport Transport, string Token) AcceptConnection()
    {
        var transport = Wire.ExpectMsg<TransportCreated>().Transport;
        Wire.ExpectMsg<ConnectCalled>(c => c.Transport == transport);
        var login = Wire.ExpectMsg<SentFrame>(f => f.Transport == transport);
        Assert.Contains("\"trnm\":\"LOGIN\"", login.Text);
        var token = System.Text.Json.JsonDocument.Parse(login.Text).RootElement.GetProperty("token").GetString()!;
        transport.Push("""{"trnm":"LOGIN","return_code":0,"return_msg":"","sor_yn":"Y"}""");
        ExpectState(FeedState.Connected);
        return (transport, token);
    }

    /// <summary>Subscribes <paramref name="probe"/> to <paramref name="code"/>/0B while connected, answers the REG and waits for the confirmation.</summary>
    protected void SubscribeConfirmed(IActorRef feed, FakeTransport transport, TestProbe probe, string code)
    {
        feed.Tell(new Subscribe(code, "0B", probe));
        Assert.Equal([code], Items(ExpectSent(transport, "REG")));
        transport.Push(RegOk);
        probe.ExpectMsg(new SubscriptionConfirmed(code, "0B"));
    }

    /// <summary>Skips events until a status with <paramref name="state"/> arrives.</summary>
    protected FeedStatus ExpectState(FeedState state, TimeSpan? within = null) => Events.ExpectState(state, within ?? TimeSpan.FromSeconds(5));

    protected SupervisionDecision ExpectDecision(FeedComponent component) => Events.ExpectDecision(component, TimeSpan.FromSeconds(5));

    /// <summary>The next frame sent on <paramref name="transport"/> whose trnm is <paramref name="trnm"/> (PING echoes skipped).</summary>
    protected string ExpectSent(FakeTransport transport, string trnm) =>
        ((SentFrame)Wire.FishForMessage(m => m is SentFrame f && f.Transport == transport && f.Text.Contains($"\"trnm\":\"{trnm}\""), TimeSpan.FromSeconds(5))).Text;

    protected static string RegOk => """{"trnm":"REG","return_code":0,"return_msg":""}""";
    /// <summary>A REG refused for a bad item: unknown symbol (fine code 1901), the one kind of refusal that is bisected.</summary>
    protected static string RegFailed => """{"trnm":"REG","return_code":1901,"return_msg":"종목코드가 존재하지 않습니다"}""";
    protected static string RemoveOk => """{"trnm":"REMOVE","return_code":0,"return_msg":""}""";

    protected static string Real(string code, string type = "0B", string price = "-20800") =>
        "{\"trnm\":\"REAL\",\"data\":[{\"type\":\"" + type + "\",\"name\":\"주식체결\",\"item\":\"" + code
        + "\",\"values\":{\"20\":\"165208\",\"10\":\"" + price + "\",\"15\":\"+82\"}}]}";

    /// <summary>
    /// Every <see cref="SubscriptionConfirmed"/> <paramref name="probe"/> receives until it has been quiet for a while
    /// (other messages skipped), after asserting that no pair was confirmed twice.
    /// </summary>
    protected List<SubscriptionConfirmed> AllConfirmations(TestProbe probe)
    {
        var confirmed = new List<SubscriptionConfirmed>();
        while (probe.TryReceiveOne(out var e, Quiet))
            if (e.Message is SubscriptionConfirmed c) confirmed.Add(c);
        Assert.Equal(confirmed.Count, confirmed.Distinct().Count());
        return confirmed;
    }

    /// <summary>Items of a REG / REMOVE frame.</summary>
    protected static string[] Items(string frame) =>
        System.Text.Json.JsonDocument.Parse(frame).RootElement.GetProperty("data")[0].GetProperty("item").EnumerateArray().Select(e => e.GetString()!).ToArray();

    protected void AssertNoSecretLogged(params string[] tokens) => Logs.AssertNoneContains(this, [AppKey, SecretKey, .. tokens]);
}
