using System.Diagnostics;

namespace ActorFeed.Simulator;

/// <summary>The clock behind the send-time stamp (field 9999): Unix microseconds from Stopwatch, so a client in the
/// same process can compute added latency with the same clock.</summary>
public static class SimClock
{
    private static readonly long Epoch = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 - Stopwatch.GetTimestamp() * 1_000_000 / Stopwatch.Frequency;

    public static long NowMicros() => Epoch + (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));
}
