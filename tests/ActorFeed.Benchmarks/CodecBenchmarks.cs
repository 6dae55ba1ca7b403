using System.Text;
using BenchmarkDotNet.Attributes;

namespace ActorFeed.Benchmarks;

/// <summary>BenchmarkDotNet: decoding a REAL frame of 10 entries (run with --codec).</summary>
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private readonly KiwoomDecoder _decoder = new();
    private readonly byte[] _frame = Frames.Real(Enumerable.Range(0, 10).Select(i => (100000 + i).ToString()).ToArray());

    [Benchmark]
    public int DecodeRealFrame10() => ((RealFrame)_decoder.Decode(_frame, DateTimeOffset.UnixEpoch)).Ticks.Count;

    [Benchmark]
    public int EncodeReg100() => KiwoomEncoder.Registration(RegistrationKind.Register, "1", "0B",
        Enumerable.Range(0, 100).Select(i => new RegistrationItem((100000 + i).ToString(), "0B")).ToList()).Length;
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
}
