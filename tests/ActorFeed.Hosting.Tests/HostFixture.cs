using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using ActorFeed.Hosting;
using ActorFeed.Messages;
using ActorFeed.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorFeed.Hosting.Tests;

/// <summary>A real Generic Host with the feed, against an in-process simulator.</summary>
public sealed class HostFixture : IAsyncDisposable
{
    private HostFixture(IHost host, KiwoomSimulator sim, Channel<FeedStatus> states)
    {
        Host = host;
        Sim = sim;
        States = states;
    }

    public IHost Host { get; }
    public KiwoomSimulator Sim { get; }
    public Channel<FeedStatus> States { get; }
    public IActorFeedClient Client => Host.Services.GetRequiredService<IActorFeedClient>();

    /// <param name="time">The clock of the feed and its health check (registered in DI as <see cref="TimeProvider"/>); null for the system clock.</param>
    public static async Task<HostFixture> StartAsync(SimulatorOptions? simOptions = null, Action<KiwoomSimulator>? beforeStart = null,
        TimeProvider? time = null, params string[] commandLine)
    {
        var sim = await KiwoomSimulator.StartAsync(simOptions ?? new SimulatorOptions { TicksPerSecondPerItem = 20, FrameInterval = TimeSpan.FromMilliseconds(20) });
        beforeStart?.Invoke(sim);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(
        [
            $"--ActorFeed:RestBaseUrl={sim.RestBaseUrl}",
            $"--ActorFeed:WebSocketUrl={sim.WebSocketUrl}",
            "--ActorFeed:AppKey=host-test-app-key-0123",
            "--ActorFeed:SecretKey=host-test-secret-key-0123",
            "--ActorFeed:BackoffMin=00:00:00.050",
            "--ActorFeed:BackoffMax=00:00:00.400",
            "--ActorFeed:TokenBackoffMin=00:00:00.050",
            "--ActorFeed:PermanentFailureBackoff=00:00:02",
            .. commandLine,
        ]);
        if (time is not null) builder.Services.AddSingleton(time);
        builder.Services.AddActorFeed(builder.Configuration);
        builder.Services.AddAkka("host-test", (b, sp) => b.WithActorFeed(sp));
        var host = builder.Build();
        var states = Channel.CreateUnbounded<FeedStatus>();
        var system = host.Services.GetRequiredService<ActorSystem>();
        await host.StartAsync();
        var watcher = system.ActorOf(Props.Create(() => new StatusWatcher(states.Writer)));
        return new HostFixture(host, sim, states);
    }

    /// <summary>
    /// Waits for a FeedStatusChanged with this state, or, if it is already there, returns at once. Changes queued
    /// before the call are dropped first: a Connected left over from an earlier wait must not answer this one.
    /// </summary>
    public async Task<FeedStatus> WaitForState(FeedState state, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (States.Reader.TryRead(out _)) { }
        var now = await Client.GetStatusAsync(cts.Token);
        if (now.State == state) return now;
        while (true)
        {
            var s = await States.Reader.ReadAsync(cts.Token);
            if (s.State == state) return s;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { await Host.StopAsync(); } catch (OperationCanceledException) { }
        Host.Dispose();
        await Sim.DisposeAsync();
    }

    private sealed class StatusWatcher : ReceiveActor
    {
        public StatusWatcher(ChannelWriter<FeedStatus> writer) => Receive<FeedStatusChanged>(c => writer.TryWrite(c.Status));
        protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(FeedStatusChanged));
    }
}

/// <summary>
/// Specs that run a host with a simulator run one after another: in parallel they load the machine enough to make
/// timing-sensitive ones (the TickStream drop policies) see the bridges of two streams drift apart.
/// </summary>
[CollectionDefinition(Name)]
public sealed class HostCollection
{
    public const string Name = "hosts with a simulator";
}
