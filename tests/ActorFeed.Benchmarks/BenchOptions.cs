using System.Globalization;

namespace ActorFeed.Benchmarks;

/// <summary>
/// The harness's command line. <c>--quick</c> (short windows, one repeat, under a minute), <c>--repeat N</c> (how often
/// each client's part runs, interleaved across clients; default 5, 1 with --quick), <c>--out FILE</c> (write the report,
/// keeping the hand-written text below the marker), <c>--only PART</c> with <c>--client NAME</c> or
/// <c>--clients A,B</c> (one part, for profiling or a parent run; <c>--machine</c> prints RESULT lines),
/// <c>--parts A,B</c> (parts of the repeated run), <c>--spin</c> (also the latency part with the thread pool spinning longer), <c>--max-pending N</c>.
/// </summary>
internal sealed record BenchOptions
{
    /// <summary>The clients of a full run, in the order of the tables.</summary>
    public static readonly string[] DefaultClients = ["limit", "peer", "actorfeed (actor)", "actorfeed (batched)", "actorfeed (TickStream)"];

    /// <summary>The clients of --quick (under a minute): TickStream only in the full run.</summary>
    public static readonly string[] QuickClients = ["limit", "peer", "actorfeed (actor)", "actorfeed (batched)"];

    public bool Quick { get; init; }
    public int Repeat { get; init; }
    public string? OutPath { get; init; }
    public string? Only { get; init; }
    public string[] Clients { get; init; } = DefaultClients;
    public int? MaxPending { get; init; }
    public bool Machine { get; init; }
    public bool Spin { get; init; }
    public bool Cold { get; init; }

    /// <summary>Parts of the repeated run (<c>--parts throughput,latency</c> for a quick A/B); default all.</summary>
    public string[] PartsToRun { get; init; } = ["throughput", "latency", "recovery", "scale"];

    public bool Runs(string part) => PartsToRun.Contains(part);

    public TimeSpan Window => TimeSpan.FromSeconds(Quick ? 2 : 8);
    public TimeSpan WarmUp => TimeSpan.FromSeconds(Quick ? 2 : 5);
    public TimeSpan RecoveryWarmUp => TimeSpan.FromSeconds(Quick ? 1 : 5);
    public double[] RecoveryRates => Quick || Cold ? [50.0] : [50.0, 5.0];

    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        var quick = args.Contains("--quick");
        var clients = Value("--clients")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                      ?? (Value("--client") is { } one ? [one] : quick ? QuickClients : DefaultClients);
        return new BenchOptions
        {
            Quick = quick,
            Repeat = Value("--repeat") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : quick ? 1 : 5,
            OutPath = Value("--out"),
            Only = Value("--only"),
            Clients = clients,
            MaxPending = Value("--max-pending") is { } m ? int.Parse(m, CultureInfo.InvariantCulture) : null,
            Machine = args.Contains("--machine"),
            Spin = args.Contains("--spin"),
            Cold = args.Contains("--cold"),
            PartsToRun = Value("--parts")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? ["throughput", "latency", "recovery", "scale"],
        };
    }

    /// <summary>The arguments a child process of this run gets (same mode, same limit).</summary>
    public IEnumerable<string> ChildArguments()
    {
        if (Quick) yield return "--quick";
        if (MaxPending is { } m) { yield return "--max-pending"; yield return m.ToString(CultureInfo.InvariantCulture); }
    }
}
