using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ActorFeed.Benchmarks;

/// <summary>
/// BenchmarkDotNet: decoding REAL frames and encoding a REG (run with --codec; BenchmarkDotNet's own options follow,
/// e.g. <c>--codec --filter *Wide* --job short</c>). The ns/byte column divides the mean by the frame's size, so a
/// normal frame and a hostile wide one (one entry of 50,000 fields) compare per byte: a decoder linear in the frame's
/// size gives the same order of magnitude for both.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PerByteConfig))]
public class CodecBenchmarks
{
    internal static readonly byte[] Normal = Frames.Real(Enumerable.Range(0, 10).Select(i => (100000 + i).ToString()).ToArray());
    internal static readonly byte[] Wide = Frames.Wide(50_000);
    private readonly KiwoomDecoder _decoder = new();

    [Benchmark]
    public int DecodeRealFrame10() => ((RealFrame)_decoder.Decode(Normal, DateTimeOffset.UnixEpoch)).Ticks.Count;

    [Benchmark]
    public int DecodeWideFrame50k() => ((RealFrame)_decoder.Decode(Wide, DateTimeOffset.UnixEpoch)).Ticks[0].Values.Count;

    [Benchmark]
    public int EncodeReg100() => KiwoomEncoder.Registration(RegistrationKind.Register, "1", "0B",
        Enumerable.Range(0, 100).Select(i => new RegistrationItem((100000 + i).ToString(), "0B")).ToList()).Length;

    /// <summary>Runs the codec benchmarks with BenchmarkDotNet's command line (every benchmark when no --filter is given).</summary>
    public static void Run(string[] args)
    {
        var rest = args.Where(a => a != "--codec").ToList();
        if (!rest.Contains("--filter")) rest.AddRange(["--filter", "*"]);
        BenchmarkSwitcher.FromTypes([typeof(CodecBenchmarks)]).Run([.. rest]);
    }

    private sealed class PerByteConfig : ManualConfig
    {
        public PerByteConfig() => AddColumn(new NsPerByteColumn());
    }

    /// <summary>Mean time divided by the size of the decoded frame.</summary>
    private sealed class NsPerByteColumn : IColumn
    {
        private static readonly Dictionary<string, int> Bytes = new()
        {
            [nameof(DecodeRealFrame10)] = Normal.Length,
            [nameof(DecodeWideFrame50k)] = Wide.Length,
        };

        public string Id => "NsPerByte";
        public string ColumnName => "ns/byte";
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => "mean time per byte of the decoded frame";
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
        public bool IsAvailable(Summary summary) => true;
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var method = benchmarkCase.Descriptor.WorkloadMethod.Name;
            if (!Bytes.TryGetValue(method, out var bytes) || summary[benchmarkCase]?.ResultStatistics is not { } stats) return "-";
            return $"{stats.Mean / bytes:N3} ({bytes:N0} B)";
        }
    }
}

public static class Frames
{
    public static byte[] Real(IReadOnlyList<string> codes)
    {
        var sb = new StringBuilder("{\"trnm\":\"REAL\",\"data\":[");
        for (var i = 0; i < codes.Count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append("{\"type\":\"0B\",\"name\":\"주식체결\",\"item\":\"").Append(codes[i])
              .Append("\",\"values\":{\"20\":\"165208\",\"10\":\"-20800\",\"11\":\"-50\",\"12\":\"-0.24\",\"27\":\"-20800\",\"28\":\"-20700\",\"15\":\"+82\",\"13\":\"30379732\",\"14\":\"632640\",\"16\":\"20850\",\"17\":\"+21150\",\"18\":\"-20450\",\"25\":\"5\",\"228\":\"98.92\",\"290\":\"2\",\"9081\":\"1\"}}");
        }
        return Encoding.UTF8.GetBytes(sb.Append("]}").ToString());
    }

    /// <summary>One REAL entry with <paramref name="fields"/> distinct field ids: what a hostile or broken server can send within 4 MiB.</summary>
    public static byte[] Wide(int fields)
    {
        var sb = new StringBuilder("{\"trnm\":\"REAL\",\"data\":[{\"type\":\"0B\",\"name\":\"주식체결\",\"item\":\"005930\",\"values\":{");
        for (var i = 0; i < fields; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append('"').Append(i + 1000).Append("\":\"").Append(i % 1000).Append('"');
        }
        return Encoding.UTF8.GetBytes(sb.Append("}}]}").ToString());
    }
}
