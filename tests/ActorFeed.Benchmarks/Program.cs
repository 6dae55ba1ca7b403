using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using ActorFeed;
using ActorFeed.Benchmarks;
using ActorFeed.Hosting;
using ActorFeed.Messages;
using ActorFeed.Settings;
using ActorFeed.Simulator;

// dotnet run -c Release --project tests/ActorFeed.Benchmarks -- [--quick] [--repeat N] [--out docs/benchmarks.md] [--codec [BenchmarkDotNet options]]
// (every option: BenchOptions.cs)
if (args.Contains("--codec"))
{
    CodecBenchmarks.Run(args);
    return 0;
}
var options = BenchOptions.Parse(args);
if (options.MaxPending is { } maxPending) BenchSettings.Base = BenchSettings.Base with { MaxPendingTicks = maxPending };
var quick = options.Quick;
var only = options.Only;
var report = new StringBuilder();
void Line(string s = "") { Console.WriteLine(s); report.AppendLine(s); }

// ---------------------------------------------------------------- the cluster package (--only cluster, not in the full run)
if (only == "cluster")
{
    var clusterCodes = Enumerable.Range(0, 200).Select(i => (100000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
    // 1,000,000 ticks/s offered over 200 codes (more than any client takes); 50,000 ticks/s for the latency
    await ClusterBench.RunAsync(quick, clusterCodes, 5_000, 250, s => Line(s));
    if (options.OutPath is not null) await File.WriteAllTextAsync(options.OutPath, report.ToString());
    return 0;
}

// ---------------------------------------------------------------- a slow subscriber actor (--only slow, not in the full run)
if (only == "slow")
{
    foreach (var line in await SlowSubscriber.RunAsync(BenchSettings.Base, TimeSpan.FromSeconds(quick ? 10 : 60))) Line(line);
    return 0;
}

// ---------------------------------------------------------------- one part for profiling or for a parent run (--only)
if (only is not null)
{
    var parts = new Parts(options);
    foreach (var client in options.Clients)
    {
        switch (only)
        {
            case "throughput" or "latency":
                var m = await parts.StreamAsync(client, only == "latency");
                if (options.Machine)
                    Console.WriteLine(string.Join('|', new object[] { "RESULT", only, client, m.Received, m.Latency.P50, m.Latency.P99, m.Latency.Max, m.Latency.N, m.Inside.P50, m.Inside.P99, m.Inside.Max, m.Inside.N }
                        .Select(o => Convert.ToString(o, CultureInfo.InvariantCulture))));
                break;
            case "recovery":
                foreach (var rate in options.RecoveryRates)
                {
                    var ms = await parts.RecoveryAsync(client, rate);
                    if (options.Machine) Console.WriteLine(string.Join('|', "RESULT", "recovery", client, rate.ToString(CultureInfo.InvariantCulture), ms.ToString(CultureInfo.InvariantCulture)));
                }
                break;
        }
    }
    if (only == "scale")
    {
        var scale = await Scale.RunAsync(10_000);
        Console.WriteLine($"confirm {scale.ConfirmMs:N0} ms, {scale.BytesPerCode:N0} B/code");
    }
    if (only == "alloc")
    {
        var alloc = await Scale.AllocationsPerTickAsync(200_000);
        Console.WriteLine($"{alloc.BytesPerTick:N0} B/tick, {alloc.TicksPerSecond:N0} ticks/s");
    }
    return 0;
}

// ---------------------------------------------------------------- the repeated run (quick or full)
var results = await RepeatedRun.RunAsync(options);
var machine = $"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {RuntimeInformation.ProcessArchitecture}; " +
              $"{results.StartedAt:yyyy-MM-dd HH:mm}–{DateTimeOffset.UtcNow:HH:mm} UTC; load average before the run {results.LoadBefore}, after {RepeatedRun.LoadAverage()}.";
foreach (var line in BenchReport.Lines(options, results, machine)) Line(line);
if (options.OutPath is not null) await BenchReport.WriteAsync(options.OutPath, report.ToString());
return 0;

internal static class BenchSettings
{
    /// <summary>What every ActorFeed client starts from: the defaults, with --max-pending applied.</summary>
    public static ActorFeedSettings Base { get; set; } = ActorFeedSettings.Default;
}

internal static class Wait
{
    public static async Task Until(Func<bool> condition, TimeSpan timeout, Func<string>? state = null)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout) throw new TimeoutException($"benchmark condition not reached within {timeout}{(state is null ? "" : ": " + state())}");
            await Task.Delay(5);
        }
    }
}

/// <summary>One client under test, started against a simulator.</summary>
internal sealed class Run : IAsyncDisposable
{
    private readonly Func<ValueTask> _dispose;
    private Run(Func<ValueTask> dispose) => _dispose = dispose;

    public static async Task<Run> StartAsync(string client, Uri webSocketUrl, Uri restBaseUrl, string[] codes, TickSink sink, TimeSpan backoffMin, int? maxRequestsPerSecond = null)
    {
        switch (client)
        {
            case "limit":
                var raw = new RawClient(webSocketUrl, restBaseUrl, codes, sink);
                await raw.StartAsync();
                return new Run(raw.DisposeAsync);
            case "peer":
                var peer = new PeerClient(webSocketUrl, restBaseUrl, codes, sink);
                await peer.StartAsync();
                return new Run(peer.DisposeAsync);
            default:
                var system = ActorSystem.Create("bench", ConfigurationFactory.ParseString($"akka.loglevel = {Environment.GetEnvironmentVariable("BENCH_LOGLEVEL") ?? "WARNING"}"));
                var settings = BenchSettings.Base with
                {
                    AppKey = "bench-app-key-0001", SecretKey = "bench-secret-key-0001",
                    RestBaseUrl = restBaseUrl, WebSocketUrl = webSocketUrl,
                    BackoffMin = backoffMin, BackoffRandomFactor = 0.2,
                };
                if (maxRequestsPerSecond is { } pace) settings = settings with { MaxRequestsPerSecond = pace };
                var feed = Feed.Start(system, settings, FeedDependencies.Real(settings));
                TickStream? stream = null;
                CancellationTokenSource cts = new();
                if (client is "actorfeed (actor)" or "actorfeed (batched)")
                {
                    var counter = system.ActorOf(Props.Create(() => new CountingSubscriber(sink, null)));
                    foreach (var c in codes) feed.Tell(new Subscribe(c, "0B", counter) { Batched = client == "actorfeed (batched)" });
                }
                else
                {
                    stream = TickStream.Subscribe(system, feed, codes, "0B", capacity: 65_536);
                    _ = Task.Run(async () =>
                    {
                        try
                        {
                            await foreach (var t in stream.WithCancellation(cts.Token))
                            {
                                sink.Record(t.Code, t.Integer("9999") ?? 0);
                                sink.RecordInside(t.ReceivedAt);
                            }
                        }
                        catch (OperationCanceledException) { }
                    });
                }
                return new Run(async () =>
                {
                    cts.Cancel();
                    if (stream is not null) await stream.DisposeAsync();
                    await system.Terminate();
                });
        }
    }

    public ValueTask DisposeAsync() => _dispose();
}

internal sealed class CountingSubscriber : ReceiveActor
{
    public CountingSubscriber(TickSink sink, Action? onConfirmed = null)
    {
        Receive<Tick>(t =>
        {
            sink.Record(t.Code, t.Integer("9999") ?? 0);
            sink.RecordInside(t.ReceivedAt);
        });
        Receive<TickBatch>(b =>
        {
            foreach (var t in b.Ticks)
            {
                sink.Record(t.Code, t.Integer("9999") ?? 0);
                sink.RecordInside(t.ReceivedAt);
            }
        });
        Receive<SubscriptionConfirmed>(_ => onConfirmed?.Invoke());
        ReceiveAny(_ => { });
    }
}

internal static class Scale
{
    /// <summary>Time to confirm <paramref name="n"/> codes through the simulator with the default settings (REGs paced
    /// by max-requests-per-second; NaN when <paramref name="confirm"/> is false), and memory per code through the
    /// in-memory transport (unpaced there: pacing changes the time, not the memory).</summary>
    public static async Task<(double ConfirmMs, double BytesPerCode)> RunAsync(int n, bool confirm = true)
    {
        var codes = Enumerable.Range(0, n).Select(i => (300000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        var settings = BenchSettings.Base with { AppKey = "bench-app-key-0001", SecretKey = "bench-secret-key-0001" };
        var confirmMs = confirm ? await ConfirmAsync(codes, settings) : double.NaN;
        settings = settings with { MaxRequestsPerSecond = 0 };
        // memory per code: in-memory transport, nothing else in the heap that grows with n
        var loop = new LoopbackServer();
        var memSystem = ActorSystem.Create("bench-mem", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        var memFeed = Feed.Start(memSystem, settings, new FeedDependencies(new StaticTokens(), loop, TimeProvider.System));
        await Wait.Until(() => memFeed.Ask<FeedStatus>(GetFeedStatus.Instance).Result.State == FeedState.Connected, TimeSpan.FromSeconds(10));
        var memConfirmed = 0;
        var memDone = new TaskCompletionSource();
        Action onMemConfirmed = () => { if (Interlocked.Increment(ref memConfirmed) == n) memDone.TrySetResult(); };
        var memCounter = memSystem.ActorOf(Props.Create(() => new ConfirmCounter(onMemConfirmed)));
        var before = GC.GetTotalMemory(forceFullCollection: true);
        foreach (var c in codes) memFeed.Tell(new Subscribe(c, "0B", memCounter));
        await memDone.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(memFeed);
        await memSystem.Terminate();
        return (confirmMs, (after - before) / (double)n);
    }

    private static async Task<double> ConfirmAsync(string[] codes, ActorFeedSettings settings)
    {
        var n = codes.Length;
        await using var sim = await SimulatorProcess.StartAsync(0);
        var system = ActorSystem.Create("bench-scale", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        settings = settings with { RestBaseUrl = sim.RestBaseUrl, WebSocketUrl = sim.WebSocketUrl };
        var feed = Feed.Start(system, settings, FeedDependencies.Real(settings));
        await Wait.Until(() => feed.Ask<FeedStatus>(GetFeedStatus.Instance).Result.State == FeedState.Connected, TimeSpan.FromSeconds(10));
        var confirmed = 0;
        var done = new TaskCompletionSource();
        Action onConfirmed = () => { if (Interlocked.Increment(ref confirmed) == n) done.TrySetResult(); };
        var counter = system.ActorOf(Props.Create(() => new ConfirmCounter(onConfirmed)));
        var sw = Stopwatch.StartNew();
        foreach (var c in codes) feed.Tell(new Subscribe(c, "0B", counter));
        await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var confirmMs = sw.Elapsed.TotalMilliseconds;
        await system.Terminate();
        return confirmMs;
    }

    public static async Task<(long Ticks, double BytesPerTick, double TicksPerSecond)> AllocationsPerTickAsync(int ticks, bool batched = false)
    {
        var loop = new LoopbackServer();
        var system = ActorSystem.Create("bench-alloc", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        var settings = BenchSettings.Base with { AppKey = "bench-app-key-0001", SecretKey = "bench-secret-key-0001" };
        var feed = Feed.Start(system, settings, new FeedDependencies(new StaticTokens(), loop, TimeProvider.System));
        await Wait.Until(() => feed.Ask<FeedStatus>(GetFeedStatus.Instance).Result.State == FeedState.Connected, TimeSpan.FromSeconds(10));
        var codes = Enumerable.Range(0, 100).Select(i => (400000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        var sink = new TickSink();
        var confirmed = 0;
        var ready = new TaskCompletionSource();
        Action onReady = () => { if (Interlocked.Increment(ref confirmed) == codes.Length) ready.TrySetResult(); };
        var counter = system.ActorOf(Props.Create(() => new CountingSubscriber(sink, onReady)));
        foreach (var c in codes) feed.Tell(new Subscribe(c, "0B", counter) { Batched = batched });
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var frames = Enumerable.Range(0, 10).Select(k => Frames.Real(codes.Skip(k * 10).Take(10).ToArray())).ToArray();
        // warm-up
        for (var i = 0; i < 2_000; i++) loop.Current!.Push(frames[i % frames.Length]);
        // a subscriber more than max-pending-ticks behind gets the latest tick per code and the rest are dropped (and
        // counted): either way the path handled the tick
        long dropped = 0;
        using var meter = new System.Diagnostics.Metrics.MeterListener();
        meter.InstrumentPublished = (i, l) => { if (i.Meter.Name == ActorFeed.Diagnostics.FeedMetrics.MeterName && i.Name == "actorfeed.ticks.dropped") l.EnableMeasurementEvents(i); };
        meter.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref dropped, value));
        meter.Start();
        long Handled() => sink.Count + Interlocked.Read(ref dropped);
        await Wait.Until(() => Handled() >= 20_000, TimeSpan.FromSeconds(30));
        var start = Handled();
        var droppedBefore = Interlocked.Read(ref dropped);
        var allocBefore = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < ticks / 10; i++) loop.Current!.Push(frames[i % frames.Length]);
        await Wait.Until(() => Handled() - start >= ticks, TimeSpan.FromSeconds(60));
        if (Interlocked.Read(ref dropped) - droppedBefore is > 0 and var lost) Console.Error.WriteLine($"  the subscriber fell behind: {lost:N0} of {ticks:N0} ticks conflated");
        var elapsed = sw.Elapsed;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocBefore;
        await system.Terminate();
        return (ticks, allocated / (double)ticks, ticks / elapsed.TotalSeconds);
    }

    private sealed class ConfirmCounter : ReceiveActor
    {
        public ConfirmCounter(Action onConfirmed)
        {
            Receive<SubscriptionConfirmed>(_ => onConfirmed());
            ReceiveAny(_ => { });
        }
    }

    internal sealed class StaticTokens : ActorFeed.Token.ITokenClient
    {
        public Task<ActorFeed.Token.TokenIssue> IssueAsync(CancellationToken cancellationToken) =>
            Task.FromResult(new ActorFeed.Token.TokenIssue("bench-token-0123456789", DateTimeOffset.UtcNow.AddHours(18)));
        public Task RevokeAsync(string token, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
