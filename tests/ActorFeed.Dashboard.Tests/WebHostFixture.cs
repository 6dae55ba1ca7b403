using System.Net;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using ActorFeed.Hosting;
using ActorFeed.Hosting.Dashboard;
using ActorFeed.Messages;
using ActorFeed.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActorFeed.Dashboard.Tests;

/// <summary>An ASP.NET Core host in this process (Kestrel on 127.0.0.1, port 0) with the feed and the dashboard, against an
/// in-process simulator.</summary>
public sealed class WebHostFixture : IAsyncDisposable
{
    public const string AppKey = "dash-test-app-key-0123456789";
    public const string SecretKey = "dash-test-secret-key-0123456789";

    private WebHostFixture(WebApplication app, KiwoomSimulator sim, Uri dashboard, Channel<FeedStatus> states)
    {
        App = app;
        Sim = sim;
        Dashboard = dashboard;
        States = states;
        Http = new HttpClient { BaseAddress = dashboard, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }
    public KiwoomSimulator Sim { get; }
    /// <summary>The page, e.g. http://127.0.0.1:12345/actorfeed/ (with the slash, so that relative URIs resolve under it).</summary>
    public Uri Dashboard { get; }
    public Channel<FeedStatus> States { get; }
    public HttpClient Http { get; }
    public IActorFeedClient Client => App.Services.GetRequiredService<IActorFeedClient>();

    public static async Task<WebHostFixture> StartAsync(SimulatorOptions? simOptions = null, Action<IEndpointConventionBuilder>? conventions = null,
        params string[] commandLine)
    {
        var sim = await KiwoomSimulator.StartAsync(simOptions ?? new SimulatorOptions());
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args =
            [
                $"--ActorFeed:RestBaseUrl={sim.RestBaseUrl}",
                $"--ActorFeed:WebSocketUrl={sim.WebSocketUrl}",
                $"--ActorFeed:AppKey={AppKey}",
                $"--ActorFeed:SecretKey={SecretKey}",
                "--ActorFeed:MarketCalendar=always",
                "--ActorFeed:BackoffMin=00:00:00.100",
                "--ActorFeed:BackoffMax=00:00:01",
                "--ActorFeed:TokenBackoffMin=00:00:00.050",
                "--ActorFeed:PermanentFailureBackoff=00:00:02",
                .. commandLine,
            ],
        });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddActorFeed(builder.Configuration);
        builder.Services.AddAkka("dashboard-test", (b, sp) => b.WithActorFeed(sp));
        var app = builder.Build();
        var endpoints = app.MapActorFeedDashboard("/actorfeed");
        conventions?.Invoke(endpoints);
        var states = Channel.CreateUnbounded<FeedStatus>();
        await app.StartAsync();
        var system = app.Services.GetRequiredService<ActorSystem>();
        system.ActorOf(Props.Create(() => new StatusWatcher(states.Writer)));
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new WebHostFixture(app, sim, new Uri($"{address.TrimEnd('/')}/actorfeed/"), states);
    }

    /// <summary>Waits for a FeedStatusChanged with this state, or returns at once when the feed is in it.</summary>
    public async Task<FeedStatus> WaitForState(FeedState state, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (States.Reader.TryRead(out _)) { }
        var now = await Client.GetStatusAsync(cts.Token);
        if (now.State == state) return now;
        while (true)
        {
            var s = await States.Reader.ReadAsync(cts.Token);
            if (s.State == state) return s;
        }
    }

    /// <summary>Subscribes a TickStream to every code (so that the feed registers them) and waits for its first tick of each.</summary>
    public async Task<TickStream> SubscribeAndTick(params string[] codes)
    {
        var stream = Client.Subscribe(codes, "0B");
        await stream.Settled.WaitAsync(TimeSpan.FromSeconds(20));
        var missing = new HashSet<string>(codes);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var tick in stream.WithCancellation(cts.Token))
            if (missing.Remove(tick.Code) && missing.Count == 0) break;
        return stream;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try { await App.StopAsync(); } catch (OperationCanceledException) { }
        await App.DisposeAsync();
        await Sim.DisposeAsync();
    }

    private sealed class StatusWatcher : ReceiveActor
    {
        public StatusWatcher(ChannelWriter<FeedStatus> writer) => Receive<FeedStatusChanged>(c => writer.TryWrite(c.Status));

        protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(FeedStatusChanged));
    }
}
