using System.Diagnostics;

namespace ActorFeed.Simulator;

/// <summary>
/// The clock behind the send-time stamp (field 9999): microseconds of the machine's monotonic clock
/// (<see cref="Stopwatch"/>, CLOCK_MONOTONIC on Linux). It is the same clock in every process on one machine, so a
/// client in another process can compute added latency as <c>NowMicros() - stamp</c>. Not a wall-clock time.
/// </summary>
public static class SimClock
{
    /// <summary>Microseconds on the machine's monotonic clock (Stopwatch), comparable across processes of this machine.</summary>
    public static long NowMicros() => (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));
}
