using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using ActorFeed.Hosting;
using ActorFeed.Messages;
using ActorFeed.Simulator;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ActorFeed.Demo;

/// <summary>Subscribes the symbols (and follows the --condition searches), prints what happens, walks the fault tour against the simulator, stops after --duration
/// (or after the tour with --exit-after-tour).</summary>
internal sealed class DemoRunner(
    ActorSystem system,
    IRequiredActor<ActorFeedActor> feed,
    DemoArguments args,
    IHostApplicationLifetime lifetime,
    IActorFeedClient client,
    ILogger<DemoRunner> log,
    DemoConsole console,
    KiwoomSimulator? simulator = null) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (args.Duration is { } d) _ = Task.Delay(d, stoppingToken).ContinueWith(_ => lifetime.StopApplication(), TaskScheduler.Default);
        var states = Channel.CreateUnbounded<FeedStatus>();
        var watcher = system.ActorOf(Props.Create(() => new StatusWatcher(states.Writer)), "demo-status");
        var feedRef = await feed.GetAsync(stoppingToken);
        var output = system.ActorOf(DemoOutput.Props(args.Json, console.Out, feedRef), "demo-output");
        // the feed stops (and publishes Stopped) in an earlier shutdown phase: let the output write that before actors stop
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "demo-output-flush", async () =>
        {
            try { await output.Ask<DemoOutput.Flush>(DemoOutput.Flush.Instance, TimeSpan.FromSeconds(2)); }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { }
            return Akka.Done.Instance;
        });
        foreach (var code in args.Symbols)
        foreach (var type in args.Types)
            feedRef.Tell(new Subscribe(code, type, output));
        foreach (var seq in args.Conditions) feedRef.Tell(new SubscribeCondition(seq, output));

        if (simulator is null || !args.Faults) return;
        try
        {
            var tour = new (string Note, Action Fault)[]
            {
                ("fault tour 1/4: the server drops the session (close 1011)", () => simulator.DropAllSessions(DropMode.InternalError)),
                ("fault tour 2/4: the server goes silent (the idle watchdog must notice)", () => simulator.SilenceAllSessions()),
                ("fault tour 3/4: every token expires (LOGIN will say CODE=8005)", () => simulator.ExpireAllTokens()),
                ("fault tour 4/4: another process logs in with the same app key (SYSTEM R10001)", simulator.SimulateDuplicateLogin),
            };
            await WaitForConnected(states.Reader, stoppingToken);
            foreach (var (note, fault) in tour)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);      // let a few ticks show between faults
                output.Tell(note);
                log.LogInformation("Demo: {Fault}", note);
                fault();
                await WaitForLeft(states.Reader, stoppingToken);
                await WaitForConnected(states.Reader, stoppingToken);
            }
            output.Tell(args.ExitAfterTour
                ? "fault tour done: the feed recovered from every fault. Stopping."
                : "fault tour done: the feed recovered from every fault. Ctrl+C to stop.");
            if (args.ExitAfterTour)
            {
                // stop once every code has ticked again after the last recovery
                await using var check = client.Subscribe(args.Symbols, args.Types[0]);
                var missing = new HashSet<string>(args.Symbols);
                await foreach (var tick in check.WithCancellation(stoppingToken))
                    if (missing.Remove(tick.Code) && missing.Count == 0) break;
                lifetime.StopApplication();
            }
        }
        catch (OperationCanceledException) { }
        finally
        {
            system.Stop(watcher);
        }
    }

    private static async Task WaitForConnected(ChannelReader<FeedStatus> states, CancellationToken ct)
    {
        while (await states.ReadAsync(ct) is not { State: FeedState.Connected }) { }
    }

    private static async Task WaitForLeft(ChannelReader<FeedStatus> states, CancellationToken ct)
    {
        while (await states.ReadAsync(ct) is { State: FeedState.Connected }) { }
    }

    private sealed class StatusWatcher : ReceiveActor
    {
        public StatusWatcher(ChannelWriter<FeedStatus> writer)
        {
            Receive<FeedStatusChanged>(c => writer.TryWrite(c.Status));
        }

        protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(FeedStatusChanged));
    }
}

/// <summary>The process's standard output as it was at start: with <c>--json</c> the JSON lines go there and nothing else
/// (the console's out is pointed at stderr for everything else).</summary>
internal sealed record DemoConsole(TextWriter Out);
