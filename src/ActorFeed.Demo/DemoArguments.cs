using System.Globalization;
using ActorFeed.Kiwoom;

namespace ActorFeed.Demo;

/// <summary>The demo's own command line; <c>--ActorFeed:Key=value</c> arguments pass through to configuration.</summary>
internal sealed record DemoArguments
{
    public IReadOnlyList<string> Symbols { get; init; } = ["005930", "000660", "035420"];
    public IReadOnlyList<string> Types { get; init; } = ["0B"];
    public IReadOnlyList<int> Conditions { get; init; } = [];
    public bool Faults { get; init; } = true;
    public bool ExitAfterTour { get; init; }
    public TimeSpan? Duration { get; init; }
    public bool Json { get; init; }
    public string? Server { get; init; }               // null (simulator), "mock", "production"
    public List<string> ConfigurationArgs { get; } = [];
    public bool Help { get; init; }
    public bool Dashboard { get; init; } = true;
    public int DashboardPort { get; init; }            // 0: any free port (printed at start)
    public int? ClusterPort { get; init; }             // a cluster node (ActorFeed.Cluster) on 127.0.0.1:port; 0: any free port
    public IReadOnlyList<string> Seeds { get; init; } = [];   // HOST:PORT of seed nodes; none: this node starts the cluster
    public bool Cluster => ClusterPort is not null;

    public const string Usage = """
        ActorFeed demo: a supervised Kiwoom real-time feed.

          dotnet run --project src/ActorFeed.Demo [-- options]

        With no credentials it starts the built-in simulator and walks a fault tour.
          --symbols 005930,000660     instrument codes (default 005930,000660,035420)
          --types 0B,0D               real-time types (default 0B)
          --condition 1               follow condition search 1 (repeatable, or a list: 0,1): its members, then each
                                      change (the built-in simulator changes them a few times a minute)
          --no-faults                 skip the fault tour
          --exit-after-tour           stop (gracefully) once the fault tour is done and every code ticked again
          --duration <seconds>        stop after this long (default: until Ctrl+C)
          --json                      stdout: one JSON object per line; logs go to stderr
          --dashboard-port <port>     serve the live status page on http://127.0.0.1:<port>/actorfeed (default 0: any free port)
          --no-dashboard              do not serve the status page
          --mock | --production       Kiwoom's mock or production servers (needs ActorFeed:AppKey and ActorFeed:SecretKey
                                      from the environment, e.g. ActorFeed__AppKey, or --ActorFeed:AppKey=...)
          --ActorFeed:Key=value       any setting of the configuration table, e.g. --ActorFeed:BackoffMax=00:00:10
          --cluster-port <port>       run as a cluster node (ActorFeed.Cluster) with Akka.Remote on 127.0.0.1:<port> (0: any
                                      free port): the session of the app key lives on one node, ticks reach every node;
                                      needs a shared server (e.g. the standalone simulator, with --ActorFeed:WebSocketUrl,
                                      RestBaseUrl, AppKey, SecretKey); no fault tour, no status page
          --seed HOST:PORT[,HOST:PORT]  the cluster's seed nodes (default: this node starts a new cluster)
        """;

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with one clear line.</summary>
    public static DemoArguments Parse(string[] args)
    {
        var result = new DemoArguments();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            string Value() => i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i] : throw new ArgumentException($"{a} needs a value");
            switch (a)
            {
                case "--help" or "-h": result = result with { Help = true }; break;
                case "--symbols":
                    var symbols = Split(Value());
                    foreach (var s in symbols)
                        if (InstrumentCode.Validate(s, "0B") is { } err) throw new ArgumentException($"--symbols: {err}");
                    result = result with { Symbols = symbols };
                    break;
                case "--types":
                    var types = Split(Value());
                    foreach (var t in types)
                        if (!RealTypes.IsKnown(t) || RealTypes.IsAccountType(t))
                            throw new ArgumentException($"--types: '{t}' is not an instrument real-time type (known: {string.Join(", ", RealTypes.Names.Keys.Where(k => !RealTypes.IsAccountType(k)))})");
                    result = result with { Types = types };
                    break;
                case "--condition":
                    var seqs = new List<int>(result.Conditions);
                    foreach (var s in Split(Value()))
                    {
                        if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
                            throw new ArgumentException($"--condition: '{s}' is not a condition seq (a number from 0, as the server lists it)");
                        if (!seqs.Contains(seq)) seqs.Add(seq);
                    }
                    result = result with { Conditions = seqs };
                    break;
                case "--no-faults": result = result with { Faults = false }; break;
                case "--exit-after-tour": result = result with { ExitAfterTour = true }; break;
                case "--json": result = result with { Json = true }; break;
                case "--duration":
                    var v = Value();
                    if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
                        throw new ArgumentException($"--duration: '{v}' is not a positive number of seconds");
                    result = result with { Duration = TimeSpan.FromSeconds(seconds) };
                    break;
                case "--no-dashboard": result = result with { Dashboard = false }; break;
                case "--dashboard-port":
                    var p = Value();
                    if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
                        throw new ArgumentException($"--dashboard-port: '{p}' is not a port number (0-65535; 0 = any free port)");
                    result = result with { DashboardPort = port };
                    break;
                case "--cluster-port":
                    var cp = Value();
                    if (!int.TryParse(cp, NumberStyles.None, CultureInfo.InvariantCulture, out var clusterPort) || clusterPort > 65535)
                        throw new ArgumentException($"--cluster-port: '{cp}' is not a port number (0-65535; 0 = any free port)");
                    result = result with { ClusterPort = clusterPort };
                    break;
                case "--seed":
                    var seeds = new List<string>(result.Seeds);
                    foreach (var seed in Split(Value()))
                    {
                        var colon = seed.LastIndexOf(':');
                        if (colon <= 0 || !int.TryParse(seed[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var sp) || sp is < 1 or > 65535)
                            throw new ArgumentException($"--seed: '{seed}' is not HOST:PORT");
                        seeds.Add(seed);
                    }
                    result = result with { Seeds = seeds };
                    break;
                case "--mock": result = result with { Server = "mock" }; break;
                case "--production": result = result with { Server = "production" }; break;
                default:
                    if (a.StartsWith("--ActorFeed:", StringComparison.OrdinalIgnoreCase) && a.Contains('='))
                        result.ConfigurationArgs.Add(a);
                    else
                        throw new ArgumentException($"unknown argument '{a}' (see --help)");
                    break;
            }
        }
        if (result.Seeds.Count > 0 && !result.Cluster) throw new ArgumentException("--seed needs --cluster-port");
        // a cluster node shares the session with others: no fault tour (it would fault the others' feed), no status page
        if (result.Cluster) result = result with { Faults = false, Dashboard = false };
        return result;
    }

    private static string[] Split(string v)
    {
        var parts = v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length > 0 ? parts : throw new ArgumentException("an empty list");
    }
}
