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

// dotnet run -c Release --project tests/ActorFeed.Benchmarks -- [--quick] [--out docs/benchmarks.md] [--codec [BenchmarkDotNet options]]
if (args.Contains("--codec"))
{
    CodecBenchmarks.Run(args);
    return 0;
}
var quick = args.Contains("--quick");
// --max-pending N: actorfeed.subscription.max-pending-ticks for every ActorFeed client (default: the setting's default)
var maxPendingIndex = Array.IndexOf(args, "--max-pending");
if (maxPendingIndex >= 0 && maxPendingIndex + 1 < args.Length)
    BenchSettings.Base = BenchSettings.Base with { MaxPendingTicks = int.Parse(args[maxPendingIndex + 1], CultureInfo.InvariantCulture) };
// --only throughput|latency|recovery|scale|alloc|slow|cluster and --client NAME: run one part, for profiling (no targets, no report file)
var onlyIndex = Array.IndexOf(args, "--only");
var only = onlyIndex >= 0 && onlyIndex + 1 < args.Length ? args[onlyIndex + 1] : null;
var clientIndex = Array.IndexOf(args, "--client");
var onlyClient = clientIndex >= 0 && clientIndex + 1 < args.Length ? args[clientIndex + 1] : null;
var outIndex = Array.IndexOf(args, "--out");
var outPath = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : null;
var report = new StringBuilder();
void Line(string s = "") { Console.WriteLine(s); report.AppendLine(s); }

var window = TimeSpan.FromSeconds(quick ? 2 : 8);
const int ThroughputCodes = 200;
const double TopRatePerCode = 5_000;                        // 1,000,000 ticks/s offered: more than any client takes
const double LatencyRatePerCode = 250;                      // 50,000 ticks/s

Line($"# ActorFeed benchmarks ({(quick ? "quick" : "full")} run)");
Line();
Line($"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {RuntimeInformation.ProcessArchitecture}; " +
     $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC. The simulator runs in its own process on 127.0.0.1 (same machine, same 2 cores); " +
     "one client at a time, each against a fresh simulator.");
Line();

var clients = new[] { "limit", "peer", "actorfeed (actor)", "actorfeed (TickStream)" };
var codes = Enumerable.Range(0, ThroughputCodes).Select(i => (100000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();

// ---------------------------------------------------------------- the cluster package (--only cluster, not in the full run)
if (only == "cluster")
{
    await ClusterBench.RunAsync(quick, codes, TopRatePerCode, LatencyRatePerCode, s => Line(s));
    if (outPath is not null) await File.WriteAllTextAsync(outPath, report.ToString());
    return 0;
}

// ---------------------------------------------------------------- a slow subscriber actor (--only slow, not in the full run)
if (only == "slow")
{
    foreach (var line in await SlowSubscriber.RunAsync(BenchSettings.Base, TimeSpan.FromSeconds(quick ? 10 : 60))) Line(line);
    return 0;
}

// ---------------------------------------------------------------- throughput and latency
var throughput = new Dictionary<string, (double Received, double Sent, double Conflated)>();
var latency = new Dictionary<string, (double P50, double P99, double Max, int N)>();
var insideLatency = new Dictionary<string, (double P50, double P99, double Max, int N)>();
foreach (var (label, rate, stamp) in new[] { ("throughput", TopRatePerCode, false), ("latency", LatencyRatePerCode, true) })
foreach (var client in clients)
{
    if (!Wanted(label, client)) continue;
    await using var sim = await SimulatorProcess.StartAsync(rate, frameMs: 10, maxEntries: 50, stamp: stamp);
    var sink = new TickSink();
    await using var run = await Run.StartAsync(client, sim.WebSocketUrl, sim.RestBaseUrl, codes, sink, TimeSpan.FromMilliseconds(100));
    await Wait.Until(() => sink.AllTickedSince(codes, 0), TimeSpan.FromSeconds(30), () => $"{client}: {sink.Count:N0} ticks, {sink.CodesSeen} codes seen; simulator {sim.StateAsync().Result}");
    await Task.Delay(TimeSpan.FromSeconds(quick ? 2 : 5));   // warm-up: JIT tiers, pools, socket buffers drained
    sink.ResetLatency();
    sink.Sample = stamp;
    var before = sink.Count;
    var simBefore = await sim.TicksAsync();
    var sw = Stopwatch.StartNew();
    await Task.Delay(window);
    var ticks = sink.Count - before;
    var seconds = sw.Elapsed.TotalSeconds;
    var simAfter = await sim.TicksAsync();
    sink.Sample = false;
    if (label == "throughput") throughput[client] = (ticks / seconds, (simAfter.Sent - simBefore.Sent) / seconds, (simAfter.Conflated - simBefore.Conflated) / seconds);
    else latency[client] = sink.Latency();
    if (sink.TraceSummary() is { Length: > 0 } trace) Console.Error.WriteLine(trace);
    Console.Error.WriteLine($"  {label} {client}: {ticks / seconds:N0} ticks/s received, {(simAfter.Sent - simBefore.Sent) / seconds:N0} sent, {(simAfter.Conflated - simBefore.Conflated) / seconds:N0} conflated" +
                            (label == "latency" ? $"; p50 {latency[client].P50:N3} p99 {latency[client].P99:N3} max {latency[client].Max:N3} ms" : ""));
    if (label == "latency" && sink.Inside() is { N: > 0 } inside)
    {
        insideLatency[client] = inside;
        Console.Error.WriteLine($"    inside ActorFeed (frame received -> subscriber): p50 {inside.P50:N3} p99 {inside.P99:N3} max {inside.Max:N3} ms");
    }
}
if (args.Contains("--machine"))
{
    // for the parent run: one line per client, invariant culture
    foreach (var (c, l) in latency)
    {
        var i = insideLatency.TryGetValue(c, out var x) ? x : (double.NaN, double.NaN, double.NaN, 0);
        Console.WriteLine(string.Join('|', new object[] { "RESULT", c, l.P50, l.P99, l.Max, l.N, i.Item1, i.Item2, i.Item3, i.Item4 }.Select(o => Convert.ToString(o, CultureInfo.InvariantCulture))));
    }
}
if (only is "throughput" or "latency") return 0;
const string SpinKnob = "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit";
const string SpinValue = "0x2000";
var tuned = only is null && !quick ? await LatencyWithSpinningThreadPool() : [];
if (only is null)
{

Line($"## Throughput end to end ({ThroughputCodes} codes, {ThroughputCodes * TopRatePerCode:N0} ticks/s offered, up to 50 entries per frame, {window.TotalSeconds:N0} s window)");
Line();
Line("The simulator offers more than any client takes: it sends as fast as the client reads and conflates the rest");
Line("(ticks owed while more than 32 frames wait in its send queue), so \"received\" is what each client can carry.");
Line();
Line("| client | received ticks/s | sent by simulator | conflated | ActorFeed / this |");
Line("|---|---:|---:|---:|---:|");
foreach (var c in clients) Line($"| {c} | {throughput[c].Received:N0} | {throughput[c].Sent:N0} | {throughput[c].Conflated:N0} | {throughput["actorfeed (actor)"].Received / throughput[c].Received:N2} |");
Line();
Line($"## Added latency at {ThroughputCodes * LatencyRatePerCode:N0} ticks/s (ms from the simulator's send stamp to the tick in the client's hands)");
Line();
Line("The stamp is taken as the simulator writes the frame to its socket, from the machine's monotonic clock, which both");
Line("processes share. \"over limit\" is the client's percentile minus the limit's: what the client itself adds.");
Line();
Line("\"inside\" is measured by ActorFeed's subscribers alone: from the moment the frame was read off the socket");
Line("(`Tick.ReceivedAt`, before decoding) to the tick in the subscriber's hands: exactly what ActorFeed adds.");
Line();
void LatencyTable(IReadOnlyDictionary<string, (double P50, double P99, double Max, int N)> lat, IReadOnlyDictionary<string, (double P50, double P99, double Max, int N)> inside)
{
    Line("| client | p50 | p99 | max | p99 over limit | inside p50 | inside p99 | samples |");
    Line("|---|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var c in clients)
    {
        var ins = inside.TryGetValue(c, out var x) ? $"{x.P50:N3} | {x.P99:N3}" : "— | —";
        Line($"| {c} | {lat[c].P50:N3} | {lat[c].P99:N3} | {lat[c].Max:N3} | {lat[c].P99 - lat["limit"].P99:N3} | {ins} | {lat[c].N:N0} |");
    }
    Line();
}
LatencyTable(latency, insideLatency);
if (tuned.Count > 0)
{
Line($"The same run again in a child process with the .NET thread pool spinning longer before its idle workers sleep");
Line($"(`{SpinKnob}={SpinValue}`, default 70; a host sets it with `System.Threading.ThreadPool.UnfairSemaphoreSpinLimit`");
Line("in its runtimeconfig): every hand-off between threads then skips a wake-up, at the cost of CPU spent spinning.");
Line();
LatencyTable(tuned.ToDictionary(t => t.Key, t => t.Value.Latency), tuned.Where(t => t.Value.Inside.N > 0).ToDictionary(t => t.Key, t => t.Value.Inside));
}
}

// ---------------------------------------------------------------- recovery with 1,000 codes
var recoveryCodes = Enumerable.Range(0, 1000).Select(i => (200000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
var recovery = new Dictionary<(string Client, double Rate), TimeSpan>();
var firstBackoff = TimeSpan.FromMilliseconds(100);
var recoveryRates = quick ? new[] { 50.0 } : new[] { 50.0, 5.0 };
foreach (var rate in recoveryRates)
foreach (var client in clients)
{
    if (!Wanted("recovery", client)) continue;
    await using var sim = await SimulatorProcess.StartAsync(rate, frameMs: 10, maxEntries: 50, stamp: true);
    var sink = new TickSink();
    await using var run = await Run.StartAsync(client, sim.WebSocketUrl, sim.RestBaseUrl, recoveryCodes, sink, firstBackoff);
    await Wait.Until(() => sink.AllTickedSince(recoveryCodes, 0), TimeSpan.FromSeconds(30), () => $"{client}: {sink.Count:N0} ticks, {sink.CodesSeen} codes seen; simulator {sim.StateAsync().Result}");
    await Task.Delay(TimeSpan.FromSeconds(quick ? 1 : 5));   // warm-up, as above: a cold process builds a backlog
    sink.Sample = true;
    var sw = Stopwatch.StartNew();
    var closedBy = await sim.DropAndWaitClosedAsync();
    await Wait.Until(() => sink.AllStampedAfter(recoveryCodes, closedBy), TimeSpan.FromSeconds(30));
    recovery[(client, rate)] = sw.Elapsed;
    var lat = sink.Latency();
    Console.Error.WriteLine($"  recovery at {rate} ticks/s per code, {client}: {sw.Elapsed.TotalMilliseconds:N0} ms (tick latency meanwhile p50 {lat.P50:N1} p99 {lat.P99:N1} max {lat.Max:N1} ms)");
}
if (only == "recovery") return 0;
if (only is null)
{
Line($"## Time to recover after a drop with 1,000 codes (ms from the drop until every code ticked again)");
Line();
Line("\"Ticked again\" counts only ticks the simulator stamped after the dropped session wrote its last frame, so frames");
Line("still in flight from the old connection do not count.");
Line();
Line($"ActorFeed's first backoff delay is {firstBackoff.TotalMilliseconds:N0} ms (random factor 0.2: up to {firstBackoff.TotalMilliseconds * 1.2:N0} ms); the peer reconnects after its 100 ms `LostReconnectTimeout`; the limit reconnects at once.");
Line("The simulator ticks a code for the first time one tick interval after its REG: 20 ms at 50 ticks/s per code (50,000 ticks/s in all),");
Line("200 ms at 5 ticks/s per code, where that wait alone uses the whole 200 ms allowance of the target.");
Line();
Line("| client | 50 ticks/s per code | 5 ticks/s per code |");
Line("|---|---:|---:|");
foreach (var c in clients) Line($"| {c} | {recovery[(c, 50)].TotalMilliseconds:N0} | {(recovery.TryGetValue((c, 5), out var slow) ? slow.TotalMilliseconds.ToString("N0", CultureInfo.InvariantCulture) : "not in --quick")} |");
Line();
}

// ---------------------------------------------------------------- scale and allocations (ActorFeed alone)
var scale = only is null or "scale" ? await Scale.RunAsync(10_000) : default;
if (only == "scale")
{
    Console.WriteLine($"confirm {scale.ConfirmMs:N0} ms, {scale.BytesPerCode:N0} B/code");
    return 0;
}
Line("## ActorFeed alone");
Line();
Line($"- 10,000 codes subscribed and confirmed through the simulator (100 items per REG): {scale.ConfirmMs:N0} ms.");
Line($"- Memory per subscribed code at 10,000 codes (in-memory transport, managed heap after full GC): {scale.BytesPerCode:N0} bytes.");
var alloc = await Scale.AllocationsPerTickAsync(200_000);
if (only == "alloc")
{
    Console.WriteLine($"{alloc.BytesPerTick:N0} B/tick, {alloc.TicksPerSecond:N0} ticks/s");
    return 0;
}
Line($"- Allocations per tick, decode to subscriber actor (in-memory transport, frames of 10 entries, {alloc.Ticks:N0} ticks): {alloc.BytesPerTick:N0} bytes; {alloc.TicksPerSecond:N0} ticks/s on that path.");
Line();

// ---------------------------------------------------------------- targets
Line("## Targets");
Line();
Line("| target | figure | result |");
Line("|---|---|---|");
void Target(string name, string figure, bool met) => Line($"| {name} | {figure} | {(met ? "met" : "missed")} |");
var af = throughput["actorfeed (actor)"].Received;
Target("throughput >= 0.8 x limit", $"{af / throughput["limit"].Received:N2} x", af >= 0.8 * throughput["limit"].Received);
Target("throughput >= 1.2 x peer", $"{af / throughput["peer"].Received:N2} x", af >= 1.2 * throughput["peer"].Received);
var inside99 = insideLatency["actorfeed (actor)"].P99;
Target("p99 added latency <= 1 ms at 50,000 ticks/s (inside ActorFeed, runtime defaults)", $"{inside99:N3} ms (end to end {latency["actorfeed (actor)"].P99:N3}, limit {latency["limit"].P99:N3})", inside99 <= 1);
if (tuned.Count > 0)
{
var tunedInside99 = tuned["actorfeed (actor)"].Inside.P99;
Target($"the same with {SpinKnob}={SpinValue}", $"{tunedInside99:N3} ms (end to end {tuned["actorfeed (actor)"].Latency.P99:N3}, limit {tuned["limit"].Latency.P99:N3})", tunedInside99 <= 1);
}
var recovered = recovery[("actorfeed (actor)", 50)].TotalMilliseconds;
Target("1,000 codes recovered within first backoff + 200 ms (50 ticks/s per code)", $"{recovered:N0} ms (bound {firstBackoff.TotalMilliseconds * 1.2 + 200:N0} ms)", recovered <= firstBackoff.TotalMilliseconds * 1.2 + 200);
Target("<= 4 KB per subscribed code", $"{scale.BytesPerCode:N0} B", scale.BytesPerCode <= 4096);
Target("10,000 codes confirmed within 2 s", $"{scale.ConfirmMs:N0} ms", scale.ConfirmMs <= 2000);

if (outPath is not null) await File.WriteAllTextAsync(outPath, report.ToString());
return 0;

async Task<Dictionary<string, ((double P50, double P99, double Max, int N) Latency, (double P50, double P99, double Max, int N) Inside)>> LatencyWithSpinningThreadPool()
{
    var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (var a in new[] { typeof(Run).Assembly.Location, "--only", "latency", "--machine" }) info.ArgumentList.Add(a);
    if (quick) info.ArgumentList.Add("--quick");
    info.Environment[SpinKnob] = SpinValue;
    using var child = Process.Start(info)!;
    var results = new Dictionary<string, ((double, double, double, int), (double, double, double, int))>();
    while (await child.StandardOutput.ReadLineAsync() is { } line)
    {
        var f = line.Split('|');
        if (f is not ["RESULT", ..] || f.Length != 10) continue;
        double D(int i) => double.Parse(f[i], CultureInfo.InvariantCulture);
        results[f[1]] = ((D(2), D(3), D(4), (int)D(5)), (D(6), D(7), D(8), (int)D(9)));
    }
    await child.WaitForExitAsync();
    if (child.ExitCode != 0 || results.Count != clients.Length) throw new InvalidOperationException($"the tuned latency run failed (exit {child.ExitCode})");
    return results;
}

bool Wanted(string part, string client) => (only is null || only == part) && (onlyClient is null || onlyClient == client);

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

    public static async Task<Run> StartAsync(string client, Uri webSocketUrl, Uri restBaseUrl, string[] codes, TickSink sink, TimeSpan backoffMin)
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
                var feed = Feed.Start(system, settings, FeedDependencies.Real(settings));
                TickStream? stream = null;
                CancellationTokenSource cts = new();
                if (client == "actorfeed (actor)")
                {
                    var counter = system.ActorOf(Props.Create(() => new CountingSubscriber(sink, null)));
                    foreach (var c in codes) feed.Tell(new Subscribe(c, "0B", counter));
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
        Receive<SubscriptionConfirmed>(_ => onConfirmed?.Invoke());
        ReceiveAny(_ => { });
    }
}

internal static class Scale
{
    public static async Task<(double ConfirmMs, double BytesPerCode)> RunAsync(int n)
    {
        var codes = Enumerable.Range(0, n).Select(i => (300000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        // time to subscribe and confirm through the simulator
        await using var sim = await SimulatorProcess.StartAsync(0);
        var system = ActorSystem.Create("bench-scale", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        var settings = BenchSettings.Base with { AppKey = "bench-app-key-0001", SecretKey = "bench-secret-key-0001", RestBaseUrl = sim.RestBaseUrl, WebSocketUrl = sim.WebSocketUrl };
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

    public static async Task<(long Ticks, double BytesPerTick, double TicksPerSecond)> AllocationsPerTickAsync(int ticks)
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
        foreach (var c in codes) feed.Tell(new Subscribe(c, "0B", counter));
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
