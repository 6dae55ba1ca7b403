using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.TestKit;
using ActorFeed.IntegrationTests.Support;
using ActorFeed.Messages;
using ActorFeed.Settings;
using ActorFeed.Simulator;
using Xunit.Abstractions;

namespace ActorFeed.IntegrationTests;

/// <summary>
/// The real feed (ClientWebSocket, REST token client) against the real simulator over loopback, with short
/// timings: PING every second, backoff in tens of milliseconds. Waits are on events (FeedStatusChanged,
/// the simulator's record, the tick collector), never on fixed delays.
/// </summary>
public abstract class IntegrationSpec : Akka.TestKit.Xunit2.TestKit, IAsyncLifetime
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly ITestOutputHelper _output;

    protected IntegrationSpec(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString("akka.loglevel = INFO"), "it-" + Guid.NewGuid().ToString("N")[..8], output)
    {
        _output = output;
        Events = CreateTestProbe("events");
        Sys.EventStream.Subscribe(Events, typeof(FeedStatusChanged));
        Sys.EventStream.Subscribe(Events, typeof(SupervisionDecision));
        Sys.EventStream.Subscribe(Events, typeof(SubscriptionRejected));
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

    protected ActorFeedSettings FastSettings(Uri? webSocketUrl = null) => ActorFeedSettings.Default with
    {
        AppKey = "it-app-key-0123456789",
        SecretKey = "it-secret-key-0123456789",
        RestBaseUrl = Sim.RestBaseUrl,
        WebSocketUrl = webSocketUrl ?? Sim.WebSocketUrl,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        LoginTimeout = TimeSpan.FromSeconds(2),
        RequestTimeout = TimeSpan.FromSeconds(2),
        KeepAliveInterval = TimeSpan.FromMilliseconds(500),
        KeepAliveTimeout = TimeSpan.FromMilliseconds(500),
        IdleTimeout = TimeSpan.FromSeconds(2),
        BackoffMin = TimeSpan.FromMilliseconds(50),
        BackoffMax = TimeSpan.FromMilliseconds(400),
        BackoffRandomFactor = 0.2,
        BackoffResetAfter = TimeSpan.FromSeconds(1),
        PermanentFailureBackoff = TimeSpan.FromSeconds(2),
        TokenBackoffMin = TimeSpan.FromMilliseconds(50),
        TokenBackoffMax = TimeSpan.FromMilliseconds(400),
        ShutdownTimeout = TimeSpan.FromSeconds(2),
    };

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

    /// <summary>Subscribes a fresh collector to <paramref name="codes"/> (type 0B) and waits until each has ticked.</summary>
    protected IActorRef SubscribeAndAwaitTicks(IActorRef feed, IReadOnlyCollection<string> codes)
    {
        var collector = Sys.ActorOf(TickCollector.Props());
        var since = Stopwatch.GetTimestamp();
        foreach (var c in codes) feed.Tell(new Subscribe(c, "0B", collector));
        AwaitAllTicked(collector, codes, since);
        return collector;
    }

    protected TimeSpan AwaitAllTicked(IActorRef collector, IReadOnlyCollection<string> codes, long since) =>
        collector.Ask<TickCollector.AllTicked>(new TickCollector.AwaitAll(codes, since), Wait).GetAwaiter().GetResult().After;

    protected FeedStatus ExpectState(FeedState state, TimeSpan? within = null)
    {
        FeedStatus? status = null;
        Events.FishForMessage(m => m is FeedStatusChanged c && (status = c.Status).State == state, within ?? Wait);
        return status!;
    }

    protected SupervisionDecision ExpectDecision(FeedComponent component, TimeSpan? within = null) =>
        (SupervisionDecision)Events.FishForMessage(m => m is SupervisionDecision d && d.Component == component, within ?? Wait);

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
