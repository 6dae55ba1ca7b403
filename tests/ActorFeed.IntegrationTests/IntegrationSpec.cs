using System.Diagnostics;
using Akka.Actor;
using Akka.TestKit;
using ActorFeed.IntegrationTests.Support;
using ActorFeed.Messages;
using ActorFeed.Settings;
using ActorFeed.Simulator;
using Xunit.Abstractions;

namespace ActorFeed.IntegrationTests;

/// <summary>
/// The real feed (ClientWebSocket, REST token client) against the real simulator over loopback: fast recovery
/// (PING every second, backoff in tens of milliseconds) but generous detection timeouts (<see cref="TestSettings.Loopback"/>),
/// so that a stall of a loaded machine is not taken for a dead link; a test of one detection mechanism shortens that
/// one. Waits are on events (FeedStatusChanged, the simulator's record, the tick collector), never on fixed delays.
/// Tests end by checking the server side: nothing registered twice, and the connection attempts they expect.
/// </summary>
public abstract class IntegrationSpec : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly ITestOutputHelper _output;

    protected IntegrationSpec(ITestOutputHelper output)
        : base(TestKitConfig.With("akka.loglevel = INFO"), "it-" + Guid.NewGuid().ToString("N")[..8], output)
    {
        _output = output;
        Events = CreateTestProbe("events").WatchFeedEvents(Sys);
    }

    protected KiwoomSimulator Sim { get; private set; } = null!;
    protected TestProbe Events { get; }

    protected virtual SimulatorOptions SimulatorOptions => new()
    {
        PingInterval = TimeSpan.FromSeconds(1),
        PingGrace = TimeSpan.FromSeconds(2),
        TicksPerSecondPerItem = 20,
        FrameInterval = TimeSpan.FromMilliseconds(20),
    };

    public async Task InitializeAsync() => Sim = await KiwoomSimulator.StartAsync(SimulatorOptions);

    public async Task DisposeAsync()
    {
        await Sys.Terminate();                 // CoordinatedShutdown stops the feed gracefully while the simulator still runs
        await Sim.DisposeAsync();
    }

    protected ActorFeedSettings FastSettings(Uri? webSocketUrl = null) => TestSettings.Loopback(Sim.RestBaseUrl, webSocketUrl ?? Sim.WebSocketUrl);

    protected IActorRef StartFeed(ActorFeedSettings? settings = null, string name = Feed.DefaultName)
    {
        var s = settings ?? FastSettings();
        return Feed.Start(Sys, s, FeedDependencies.Real(s), name);
    }

    /// <summary>Starts a feed, waits until it is connected and every code in <paramref name="codes"/> ticked.</summary>
    protected (IActorRef Feed, IActorRef Collector) ConnectedWithTicks(IReadOnlyCollection<string> codes, ActorFeedSettings? settings = null)
    {
        var feed = StartFeed(settings);
        ExpectState(FeedState.Connected);
        return (feed, SubscribeAndAwaitTicks(feed, codes));
    }

    /// <summary>Subscribes a fresh collector to <paramref name="codes"/> (type 0B) and waits until each is confirmed
    /// and has ticked (a tick can overtake its confirmation: they take different paths).</summary>
    protected IActorRef SubscribeAndAwaitTicks(IActorRef feed, IReadOnlyCollection<string> codes)
    {
        var collector = Sys.ActorOf(TickCollector.Props());
        var since = Stopwatch.GetTimestamp();
        foreach (var c in codes) feed.Tell(new Subscribe(c, "0B", collector));
        collector.Ask<TickCollector.AllConfirmed>(new TickCollector.AwaitConfirmed(codes), Wait).GetAwaiter().GetResult();
        AwaitAllTicked(collector, codes, since);
        return collector;
    }

    /// <summary>
    /// After a fault at <paramref name="faultAt"/>: waits for the feed to be Connected again, then for every code to tick
    /// on the new connection (ticks counted only from then: frames the old session had queued before its close do not
    /// prove the replay). Returns the time from the fault.
    /// </summary>
    protected TimeSpan AwaitRecovered(IActorRef collector, IReadOnlyCollection<string> codes, long faultAt, TimeSpan? within = null)
    {
        ExpectState(FeedState.Connected, within);
        AwaitAllTicked(collector, codes, Stopwatch.GetTimestamp());
        return Stopwatch.GetElapsedTime(faultAt);
    }

    protected TimeSpan AwaitAllTicked(IActorRef collector, IReadOnlyCollection<string> codes, long since) =>
        collector.Ask<TickCollector.AllTicked>(new TickCollector.AwaitAll(codes, since), Wait).GetAwaiter().GetResult().After;

    protected FeedStatus ExpectState(FeedState state, TimeSpan? within = null) => Events.ExpectState(state, within ?? Wait);

    protected SupervisionDecision ExpectDecision(FeedComponent component, TimeSpan? within = null) => Events.ExpectDecision(component, within ?? Wait);

    protected void Report(string fault, TimeSpan detect, TimeSpan recover) =>
        _output.WriteLine($"[{fault}] time to detect {detect.TotalMilliseconds:F0} ms, time to recover {recover.TotalMilliseconds:F0} ms");

    /// <summary>The most connection attempts a feed may make in <paramref name="window"/> under the backoff settings
    /// (jitter only lengthens delays, so the delays without jitter give the bound), plus the one that succeeds.</summary>
    protected static int MaxAttempts(ActorFeedSettings s, TimeSpan window)
    {
        var policy = new BackoffPolicy(s.BackoffMin, s.BackoffMax, 0, s.PermanentFailureBackoff);
        var elapsed = TimeSpan.Zero;
        var n = 0;
        while (true)
        {
            elapsed += policy.DelayFor(n + 1, FailureKind.Transient, 0);
            if (elapsed > window) return n + 1;
            n++;
        }
    }

    protected static string[] Codes(int n, int offset = 1) => Enumerable.Range(offset, n).Select(i => (i * 7 % 1_000_000).ToString("D6")).Distinct().ToArray();

    /// <summary>Exactly <paramref name="expected"/> WebSocket connections reached the server.</summary>
    protected void AssertConnectionAttempts(int expected) => Assert.Equal(expected, Sim.Record.Read(r => r.ConnectionAttempts));

    /// <summary>On the sessions that logged in: no pair registered twice, every REG / REMOVE in grp_no <paramref name="group"/>
    /// (the feed's default is "1"), and the last session holds exactly <paramref name="expected"/>.</summary>
    protected void AssertServerRegistrations(IEnumerable<string> expected, string group = "1") => Sim.Record.Read(r =>
    {
        Assert.All(r.Sessions, s => Assert.Equal(0, s.DuplicateRegistrations));
        Assert.All(r.Sessions.SelectMany(s => s.RegistrationFrames), f => Assert.Equal(group, f.Group));
        var last = r.Sessions.Last(s => s.LoggedInAt is not null);
        Assert.Equal(expected.Select(c => c + "/0B").Order(), last.Registered.Order());
        Assert.All(last.Registered, p => Assert.Equal(group, last.RegisteredGroups[p]));
        return true;
    });
}
