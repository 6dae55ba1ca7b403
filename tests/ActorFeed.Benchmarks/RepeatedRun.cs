using System.Diagnostics;
using System.Globalization;

namespace ActorFeed.Benchmarks;

/// <summary>A percentile summary of one latency window (ms).</summary>
internal readonly record struct Lat(double P50, double P99, double Max, int N)
{
    public static readonly Lat None = new(double.NaN, double.NaN, double.NaN, 0);
    public static Lat Of((double P50, double P99, double Max, int N) t) => new(t.P50, t.P99, t.Max, t.N);
}

/// <summary>One measurement of each part for one client, against a fresh simulator.</summary>
internal sealed class Parts(BenchOptions options)
{
    public const int StreamCodes = 200;
    public const double TopRatePerCode = 5_000;          // 1,000,000 ticks/s offered: more than any client takes
    public const double LatencyRatePerCode = 250;        // 50,000 ticks/s
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);

    private static readonly string[] Codes = Enumerable.Range(0, StreamCodes).Select(i => (100000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
    private static readonly string[] RecoveryCodes = Enumerable.Range(0, 1000).Select(i => (200000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Throughput (top rate offered) or latency (50,000 ticks/s, stamped) of one client.</summary>
    public async Task<(double Received, double Sent, double Conflated, Lat Latency, Lat Inside)> StreamAsync(string client, bool latency)
    {
        var rate = latency ? LatencyRatePerCode : TopRatePerCode;
        await using var sim = await SimulatorProcess.StartAsync(rate, frameMs: 10, maxEntries: 50, stamp: latency);
        var sink = new TickSink();
        await using var run = await Run.StartAsync(client, sim.WebSocketUrl, sim.RestBaseUrl, Codes, sink, FirstBackoff);
        await Wait.Until(() => sink.AllTickedSince(Codes, 0), TimeSpan.FromSeconds(30), () => $"{client}: {sink.Count:N0} ticks, {sink.CodesSeen} codes seen; simulator {sim.StateAsync().Result}");
        await Task.Delay(options.WarmUp);   // warm-up: JIT tiers, pools, socket buffers drained
        sink.ResetLatency();
        sink.Sample = latency;
        var before = sink.Count;
        var simBefore = await sim.TicksAsync();
        var sw = Stopwatch.StartNew();
        await Task.Delay(options.Window);
        var ticks = sink.Count - before;
        var seconds = sw.Elapsed.TotalSeconds;
        var simAfter = await sim.TicksAsync();
        sink.Sample = false;
        var lat = latency ? Lat.Of(sink.Latency()) : Lat.None;
        var inside = latency && sink.Inside() is { N: > 0 } i ? Lat.Of(i) : Lat.None;
        if (sink.TraceSummary() is { Length: > 0 } trace) Console.Error.WriteLine(trace);
        Console.Error.WriteLine($"  {(latency ? "latency" : "throughput")} {client}: {ticks / seconds:N0} ticks/s received, {(simAfter.Sent - simBefore.Sent) / seconds:N0} sent, {(simAfter.Conflated - simBefore.Conflated) / seconds:N0} conflated" +
                                (latency ? $"; p50 {lat.P50:N3} p99 {lat.P99:N3} max {lat.Max:N3} ms" : "") +
                                (inside.N > 0 ? $"; inside p50 {inside.P50:N3} p99 {inside.P99:N3} max {inside.Max:N3} ms" : ""));
        return (ticks / seconds, (simAfter.Sent - simBefore.Sent) / seconds, (simAfter.Conflated - simBefore.Conflated) / seconds, lat, inside);
    }

    /// <summary>Milliseconds from a drop until every one of 1,000 codes ticked again (stamped after the old session's last frame).</summary>
    public async Task<double> RecoveryAsync(string client, double ratePerCode, int? maxRequestsPerSecond = null)
    {
        await using var sim = await SimulatorProcess.StartAsync(ratePerCode, frameMs: 10, maxEntries: 50, stamp: true);
        var sink = new TickSink();
        await using var run = await Run.StartAsync(client, sim.WebSocketUrl, sim.RestBaseUrl, RecoveryCodes, sink, FirstBackoff, maxRequestsPerSecond);
        await Wait.Until(() => sink.AllTickedSince(RecoveryCodes, 0), TimeSpan.FromSeconds(30), () => $"{client}: {sink.Count:N0} ticks, {sink.CodesSeen} codes seen; simulator {sim.StateAsync().Result}");
        await Task.Delay(options.RecoveryWarmUp);   // warm-up, as above: a cold process builds a backlog
        sink.Sample = true;
        var sw = Stopwatch.StartNew();
        var closedBy = await sim.DropAndWaitClosedAsync();
        await Wait.Until(() => sink.AllStampedAfter(RecoveryCodes, closedBy), TimeSpan.FromSeconds(30));
        var ms = sw.Elapsed.TotalMilliseconds;
        var lat = sink.Latency();
        Console.Error.WriteLine($"  recovery at {ratePerCode} ticks/s per code{(maxRequestsPerSecond is { } p ? $", max-requests-per-second {p}" : "")}, {client}: {ms:N0} ms (tick latency meanwhile p50 {lat.P50:N1} p99 {lat.P99:N1} max {lat.Max:N1} ms)");
        return ms;
    }
}

/// <summary>Every figure of every run: metric and client → one value per run, in run order.</summary>
internal sealed class Results
{
    private readonly Dictionary<(string Metric, string Client), List<double>> _values = [];

    public DateTimeOffset StartedAt { get; init; }
    public string LoadBefore { get; init; } = "";
    public int Runs { get; set; }

    public void Add(string metric, string client, double value)
    {
        if (!_values.TryGetValue((metric, client), out var list)) _values[(metric, client)] = list = [];
        list.Add(value);
    }

    public bool Has(string metric, string client) => _values.ContainsKey((metric, client));

    public IReadOnlyList<double> Of(string metric, string client) => _values.TryGetValue((metric, client), out var list) ? list : [];

    /// <summary>Per run: a / b (same run index).</summary>
    public IReadOnlyList<double> Ratio(string metric, string a, string b)
    {
        var x = Of(metric, a);
        var y = Of(metric, b);
        return Enumerable.Range(0, Math.Min(x.Count, y.Count)).Select(i => x[i] / y[i]).ToArray();
    }
}

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var a = values.Order().ToArray();
        return a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }

    public static double Min(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Min();
    public static double Max(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Max();

    /// <summary>(max − min) / median: how much the same figure of the same client moves from run to run.</summary>
    public static double RelativeSpread(IReadOnlyList<double> values) =>
        values.Count < 2 ? 0 : (Max(values) - Min(values)) / Median(values);
}

/// <summary>
/// The repeated run: each part runs every client once per run, clients in a rotated order per run (so drift in the
/// machine's load hits all of them alike), N runs.
/// </summary>
internal static class RepeatedRun
{
    public const string SpinKnob = "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit";
    public const string SpinValue = "0x2000";
    public const string Actor = "actorfeed (actor)";
    public const string Batched = "actorfeed (batched)";

    public static string LoadAverage()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }

    public static async Task<Results> RunAsync(BenchOptions options)
    {
        var results = new Results { StartedAt = DateTimeOffset.UtcNow, LoadBefore = LoadAverage() };
        var parts = new Parts(options);
        var clients = options.Clients;
        var total = Stopwatch.StartNew();
        for (var run = 0; run < options.Repeat; run++)
        {
            var order = clients.Skip(run % clients.Length).Concat(clients.Take(run % clients.Length)).ToArray();
            Console.Error.WriteLine($"run {run + 1} of {options.Repeat} ({total.Elapsed.TotalSeconds:N0} s; load {LoadAverage()}); order: {string.Join(", ", order)}");
            foreach (var client in options.Runs("throughput") ? order : [])
            {
                var t = await parts.StreamAsync(client, latency: false);
                results.Add("throughput", client, t.Received);
                results.Add("sent", client, t.Sent);
                results.Add("conflated", client, t.Conflated);
            }
            foreach (var client in options.Runs("latency") ? order : [])
            {
                var l = await parts.StreamAsync(client, latency: true);
                results.Add("p50", client, l.Latency.P50);
                results.Add("p99", client, l.Latency.P99);
                results.Add("max", client, l.Latency.Max);
                results.Add("samples", client, l.Latency.N);
                if (l.Inside.N > 0)
                {
                    results.Add("inside p50", client, l.Inside.P50);
                    results.Add("inside p99", client, l.Inside.P99);
                }
            }
            foreach (var rate in options.Runs("recovery") ? options.RecoveryRates : [])
                foreach (var client in order)
                    results.Add($"recovery {rate}", client, await parts.RecoveryAsync(client, rate));
            if (!options.Quick && clients.Contains(Actor) && options.Runs("recovery"))
            {
                // the same without pacing REGs (max-requests-per-second = 0): what ActorFeed itself needs, apart from the policy
                results.Add("recovery 50 unpaced", Actor, await parts.RecoveryAsync(Actor, 50, maxRequestsPerSecond: 0));
                // recovery in a process that did nothing before (JIT, thread pool and pools cold)
                foreach (var (_, client, values) in await ChildAsync(["--only", "recovery", "--client", Actor, "--cold", .. options.ChildArguments()], null))
                    results.Add("cold recovery 50", client, values[1]);
            }
            if (options.Spin)
                foreach (var (_, client, v) in await ChildAsync(["--only", "latency", "--clients", string.Join(',', order), .. options.ChildArguments()], (SpinKnob, SpinValue)))
                {
                    results.Add("spin p99", client, v[2]);
                    if (v[8] > 0) results.Add("spin inside p99", client, v[6]);
                }
            if (clients.Contains(Actor) && options.Runs("scale"))
            {
                var scale = await Scale.RunAsync(10_000, confirm: !options.Quick);
                if (!options.Quick) results.Add("confirm ms", Actor, scale.ConfirmMs);
                results.Add("bytes per code", Actor, scale.BytesPerCode);
                var alloc = await Scale.AllocationsPerTickAsync(200_000);
                results.Add("bytes per tick", Actor, alloc.BytesPerTick);
                results.Add("path ticks/s", Actor, alloc.TicksPerSecond);
                if (clients.Contains(Batched))
                {
                    var b = await Scale.AllocationsPerTickAsync(200_000, batched: true);
                    results.Add("bytes per tick", Batched, b.BytesPerTick);
                    results.Add("path ticks/s", Batched, b.TicksPerSecond);
                    Console.Error.WriteLine($"  batched: {b.BytesPerTick:N0} B/tick, {b.TicksPerSecond:N0} ticks/s in memory");
                }
                Console.Error.WriteLine($"  scale: confirm {scale.ConfirmMs:N0} ms, {scale.BytesPerCode:N0} B/code; {alloc.BytesPerTick:N0} B/tick, {alloc.TicksPerSecond:N0} ticks/s in memory");
            }
            results.Runs = run + 1;
        }
        Console.Error.WriteLine($"done in {total.Elapsed.TotalSeconds:N0} s");
        return results;
    }

    /// <summary>Runs this harness again in a child process with <c>--only ... --machine</c> and reads its RESULT lines:
    /// (part, client, values after the client).</summary>
    private static async Task<List<(string Part, string Client, double[] Values)>> ChildAsync(string[] arguments, (string Name, string Value)? environment)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(Run).Assembly.Location);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.ArgumentList.Add("--machine");
        if (environment is { } e) info.Environment[e.Name] = e.Value;
        using var child = Process.Start(info)!;
        var results = new List<(string, string, double[])>();
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            var f = line.Split('|');
            if (f is not ["RESULT", ..] || f.Length < 4) continue;
            results.Add((f[1], f[2], f.Skip(3).Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray()));
        }
        await child.WaitForExitAsync();
        if (child.ExitCode != 0 || results.Count == 0) throw new InvalidOperationException($"the child run {string.Join(' ', arguments)} failed (exit {child.ExitCode})");
        return results;
    }
}
