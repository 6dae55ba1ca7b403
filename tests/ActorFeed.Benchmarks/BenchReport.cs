using System.Globalization;

namespace ActorFeed.Benchmarks;

/// <summary>
/// The report of a repeated run: tables of medians with min and max, the ratios ActorFeed / peer and ActorFeed / limit
/// of every run, and the targets. <see cref="WriteAsync"/> keeps everything below <see cref="HandWritten"/> in the
/// file it replaces, so the hand-written explanation survives a new run.
/// </summary>
internal static class BenchReport
{
    /// <summary>The line after which --out keeps the file as it is.</summary>
    public const string HandWritten = "<!-- Written by hand below this line: `--out` replaces only what is above it. -->";

    // "today" for the scale targets (no worse than before this round): the median of 3 runs of `--only scale` on the code
    // before issue 15's changes (2026-11-29, docs/benchmarks.md), and how much they moved ((max - min) / median)
    public const double TodayBytesPerCode = 4_086;          // 4,083 / 4,086 / 4,094
    public const double TodayBytesPerCodeSpread = 0.0027;
    public const double TodayConfirmMs = 11_332;            // 11,219 / 11,332 / 11,456 (REGs paced at 10 a second)
    public const double TodayConfirmMsSpread = 0.021;

    private const string Actor = RepeatedRun.Actor;

    public static async Task WriteAsync(string path, string generated)
    {
        var tail = File.Exists(path) && await File.ReadAllTextAsync(path) is var old && old.IndexOf(HandWritten, StringComparison.Ordinal) is var at and >= 0
            ? old[at..]
            : HandWritten + Environment.NewLine;
        await File.WriteAllTextAsync(path, generated + tail);
    }

    private static string N0(double v) => double.IsNaN(v) ? "—" : v.ToString("N0", CultureInfo.InvariantCulture);
    private static string N2(double v) => double.IsNaN(v) ? "—" : v.ToString("N2", CultureInfo.InvariantCulture);
    private static string N3(double v) => double.IsNaN(v) ? "—" : v.ToString("N3", CultureInfo.InvariantCulture);
    private static string Spread(IReadOnlyList<double> v, Func<double, string> f) => v.Count < 2 ? f(Stats.Median(v)) : $"{f(Stats.Median(v))} ({f(Stats.Min(v))}–{f(Stats.Max(v))})";
    private static string Each(IReadOnlyList<double> v, Func<double, string> f) => string.Join(" / ", v.Select(f));

    public static IEnumerable<string> Lines(BenchOptions options, Results r, string machine)
    {
        var clients = options.Clients;
        var runs = r.Runs;
        yield return $"# ActorFeed benchmarks ({(options.Quick ? "quick" : "full")} run, {runs} {(runs == 1 ? "run" : "runs interleaved")})";
        yield return "";
        yield return machine + " The simulator runs in its own process on 127.0.0.1 (same machine, same 2 cores); one client at a time, each against a fresh simulator.";
        yield return "";
        if (runs > 1)
        {
            yield return $"Each part ran every client once per run, {runs} runs, the clients in a rotated order each run (so a change in the machine's";
            yield return "load hits all of them alike). A figure is the median of the runs, with (min–max); a ratio is taken within each run.";
            yield return "";
        }
        var hasLimit = clients.Contains("limit");
        var hasPeer = clients.Contains("peer");

        yield return $"## Throughput end to end ({Parts.StreamCodes} codes, {Parts.StreamCodes * Parts.TopRatePerCode:N0} ticks/s offered, up to 50 entries per frame, {options.Window.TotalSeconds:N0} s window)";
        yield return "";
        yield return "The simulator offers more than any client takes: it sends as fast as the client reads and conflates the rest";
        yield return "(ticks owed while more than 32 frames wait in its send queue), so \"received\" is what each client can carry.";
        yield return "";
        yield return "| client | received ticks/s | sent by simulator | conflated | ActorFeed / this, each run | median |";
        yield return "|---|---:|---:|---:|---|---:|";
        foreach (var c in clients)
        {
            var ratio = clients.Contains(Actor) ? r.Ratio("throughput", Actor, c) : [];
            yield return $"| {c} | {Spread(r.Of("throughput", c), N0)} | {N0(Stats.Median(r.Of("sent", c)))} | {N0(Stats.Median(r.Of("conflated", c)))} | {Each(ratio, N2)} | {N2(Stats.Median(ratio))} |";
        }
        yield return "";
        yield return $"## Added latency at {Parts.StreamCodes * Parts.LatencyRatePerCode:N0} ticks/s (ms from the simulator's send stamp to the tick in the client's hands)";
        yield return "";
        yield return "The stamp is taken as the simulator writes the frame to its socket, from the machine's monotonic clock, which both";
        yield return "processes share. \"inside\" is measured by ActorFeed's subscribers alone: from the moment the frame was read off the";
        yield return "socket (`Tick.ReceivedAt`, before decoding) to the tick in the subscriber's hands: exactly what ActorFeed adds.";
        yield return "";
        yield return "| client | p50 | p99 | max | p99 ActorFeed / this, each run | inside p50 | inside p99 | inside p99, each run |";
        yield return "|---|---:|---:|---:|---|---:|---:|---|";
        foreach (var c in clients)
        {
            var ratio = clients.Contains(Actor) ? r.Ratio("p99", Actor, c) : [];
            var inside = r.Has("inside p99", c) ? $"{Spread(r.Of("inside p50", c), N3)} | {Spread(r.Of("inside p99", c), N3)} | {Each(r.Of("inside p99", c), N3)}" : "— | — | —";
            yield return $"| {c} | {Spread(r.Of("p50", c), N3)} | {Spread(r.Of("p99", c), N3)} | {N3(Stats.Median(r.Of("max", c)))} | {Each(ratio, N2)} | {inside} |";
        }
        yield return "";
        if (options.Spin)
        {
            yield return $"The same latency part in a child process with the thread pool spinning longer before its idle workers sleep";
            yield return $"(`{RepeatedRun.SpinKnob}={RepeatedRun.SpinValue}`, default 70; a host's choice, not shipped): p99 and inside p99.";
            yield return "";
            yield return "| client | p99 | inside p99 |";
            yield return "|---|---:|---:|";
            foreach (var c in clients)
                yield return $"| {c} | {Spread(r.Of("spin p99", c), N3)} | {(r.Has("spin inside p99", c) ? Spread(r.Of("spin inside p99", c), N3) : "—")} |";
            yield return "";
        }
        yield return "## Time to recover after a drop with 1,000 codes (ms from the drop until every code ticked again)";
        yield return "";
        yield return "\"Ticked again\" counts only ticks the simulator stamped after the dropped session wrote its last frame. ActorFeed's";
        yield return $"first backoff is {Parts.FirstBackoff.TotalMilliseconds:N0} ms (random factor 0.2: up to {Parts.FirstBackoff.TotalMilliseconds * 1.2:N0} ms); the peer reconnects after its 100 ms";
        yield return "`LostReconnectTimeout`; the limit at once. The simulator ticks a code for the first time one tick interval after its REG:";
        yield return "20 ms at 50 ticks/s per code, 200 ms at 5 ticks/s per code (that wait alone uses the target's whole 200 ms).";
        yield return "\"cold\" is ActorFeed in a fresh process that measured nothing before (one child process per run).";
        yield return "";
        yield return "| client | 50 ticks/s per code | 5 ticks/s per code | 50 ticks/s per code, cold process |";
        yield return "|---|---:|---:|---:|";
        foreach (var c in clients)
            yield return $"| {c} | {Spread(r.Of("recovery 50", c), N0)} | {(r.Has("recovery 5", c) ? Spread(r.Of("recovery 5", c), N0) : "not in --quick")} | {(r.Has("cold recovery 50", c) ? Spread(r.Of("cold recovery 50", c), N0) : "—")} |";
        yield return "";
        if (r.Has("recovery 50 unpaced", Actor))
        {
            yield return $"ActorFeed (actor) with REGs unpaced (`max-requests-per-second = 0`; default 10, so 1,000 codes = 10 REGs take at least 0.9 s): {Spread(r.Of("recovery 50 unpaced", Actor), N0)} ms at 50 ticks/s per code.";
            yield return "";
        }
        if (r.Has("bytes per code", Actor))
        {
            yield return "## ActorFeed alone";
            yield return "";
            if (r.Has("confirm ms", Actor))
                yield return $"- 10,000 codes subscribed and confirmed through the simulator (100 items per REG, default pacing of 10 REGs/s): {Spread(r.Of("confirm ms", Actor), N0)} ms.";
            yield return $"- Memory per subscribed code at 10,000 codes (in-memory transport, managed heap after full GC): {Spread(r.Of("bytes per code", Actor), N0)} bytes.";
            yield return $"- Allocations per tick, decode to subscriber actor (in-memory transport, frames of 10 entries, 200,000 ticks): {Spread(r.Of("bytes per tick", Actor), N0)} bytes; {Spread(r.Of("path ticks/s", Actor), N0)} ticks/s on that path.";
            if (r.Has("path ticks/s", RepeatedRun.Batched))
                yield return $"- The same with the subscriber batched (`Subscribe.Batched`): {Spread(r.Of("bytes per tick", RepeatedRun.Batched), N0)} bytes; {Spread(r.Of("path ticks/s", RepeatedRun.Batched), N0)} ticks/s; batched / per tick, each run: {Each(r.Ratio("path ticks/s", RepeatedRun.Batched, Actor), N2)}.";
            yield return "";
        }
        if (!clients.Contains(Actor)) yield break;

        yield return "## Targets";
        yield return "";
        yield return "A target is met when the median meets it and no run misses it by more than the limit client's own spread on the";
        yield return "same figure ((max − min) / median over the runs; for the scale figures, which have no limit client, the spread of";
        yield return "the figure \"today\" was measured with).";
        yield return "";
        yield return "| target | median | each run | allowed per run | result |";
        yield return "|---|---:|---|---:|---|";
        var tpSpread = Stats.RelativeSpread(r.Of("throughput", "limit"));
        var p99Spread = Stats.RelativeSpread(r.Of("p99", "limit"));
        var recSpread = Stats.RelativeSpread(r.Of("recovery 50", "limit"));
        foreach (var af in new[] { Actor, RepeatedRun.Batched }.Where(clients.Contains))
        foreach (var line in Targets(r, af, hasPeer, hasLimit, tpSpread, p99Spread, recSpread)) yield return line;
        yield return "";
    }

    private static IEnumerable<string> Targets(Results r, string af, bool hasPeer, bool hasLimit, double tpSpread, double p99Spread, double recSpread)
    {
        var who = af == Actor ? "" : $"{af}: ";
        if (hasPeer)
        {
            var ratio = r.Ratio("throughput", af, "peer");
            var median = Stats.Median(r.Of("throughput", af)) / Stats.Median(r.Of("throughput", "peer"));
            yield return Judge(who + "throughput >= 1.2 x peer", median, ratio, 1.2, higherIsBetter: true, tpSpread, N2, " x");
        }
        if (hasLimit)
        {
            var ratio = r.Ratio("throughput", af, "limit");
            var median = Stats.Median(r.Of("throughput", af)) / Stats.Median(r.Of("throughput", "limit"));
            yield return Judge(who + "throughput >= 0.9 x limit", median, ratio, 0.9, higherIsBetter: true, tpSpread, N2, " x");
        }
        if (hasPeer)
        {
            var ratio = r.Ratio("p99", af, "peer");
            var median = Stats.Median(r.Of("p99", af)) / Stats.Median(r.Of("p99", "peer"));
            yield return Judge(who + $"end-to-end p99 at 50,000 ticks/s <= peer's (ActorFeed / peer; medians {N3(Stats.Median(r.Of("p99", af)))} / {N3(Stats.Median(r.Of("p99", "peer")))} ms)",
                median, ratio, 1.0, higherIsBetter: false, p99Spread, N2, " x");
        }
        yield return Judge(who + "inside p99 <= 1 ms at 50,000 ticks/s (runtime defaults)", Stats.Median(r.Of("inside p99", af)), r.Of("inside p99", af), 1.0, higherIsBetter: false, p99Spread, N3, " ms");
        var bound = Parts.FirstBackoff.TotalMilliseconds * 1.2 + 200;
        yield return Judge(who + $"1,000 codes recovered within first backoff + 200 ms = {bound:N0} ms (50 ticks/s per code)", Stats.Median(r.Of("recovery 50", af)), r.Of("recovery 50", af), bound, higherIsBetter: false, recSpread, N0, " ms");
        if (r.Has("cold recovery 50", af))
            yield return Judge(who + $"the same in a cold process", Stats.Median(r.Of("cold recovery 50", af)), r.Of("cold recovery 50", af), bound, higherIsBetter: false, recSpread, N0, " ms");
        if (r.Has("recovery 50 unpaced", af))
            yield return Judge(who + $"the same with REGs unpaced (max-requests-per-second = 0)", Stats.Median(r.Of("recovery 50 unpaced", af)), r.Of("recovery 50 unpaced", af), bound, higherIsBetter: false, recSpread, N0, " ms");
        if (r.Has("bytes per code", af))
            yield return Judge(who + $"memory per code no worse than today ({TodayBytesPerCode:N0} B)", Stats.Median(r.Of("bytes per code", af)), r.Of("bytes per code", af), TodayBytesPerCode, higherIsBetter: false, TodayBytesPerCodeSpread, N0, " B");
        if (r.Has("confirm ms", af))
            yield return Judge(who + $"10,000 codes confirmed no slower than today ({TodayConfirmMs:N0} ms)", Stats.Median(r.Of("confirm ms", af)), r.Of("confirm ms", af), TodayConfirmMs, higherIsBetter: false, TodayConfirmMsSpread, N0, " ms");
    }

    private static string Judge(string name, double median, IReadOnlyList<double> each, double bound, bool higherIsBetter, double spread, Func<double, string> f, string unit)
    {
        var allowed = higherIsBetter ? bound * (1 - spread) : bound * (1 + spread);
        var medianMet = higherIsBetter ? median >= bound : median <= bound;
        var runsMet = each.All(v => higherIsBetter ? v >= allowed : v <= allowed);
        var result = medianMet && runsMet ? "met" : medianMet ? "missed (a run beyond the allowance)" : "missed";
        return $"| {name} | {f(median)}{unit} | {Each(each, f)} | {(higherIsBetter ? ">= " : "<= ")}{f(allowed)}{unit} | {result} |";
    }
}
