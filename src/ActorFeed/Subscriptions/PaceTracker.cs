namespace ActorFeed.Subscriptions;

/// <summary>
/// Learns one code's usual pace from its recent arrivals and tells when it has been silent much longer than usual.
/// <para>
/// Times are milliseconds on a monotonic clock (the unit of <see cref="Environment.TickCount64"/>, what
/// <see cref="TickRoute.Deliver"/> is given), passed in by the caller: the class never reads a clock.
/// </para>
/// <para>
/// Learning: the last <see cref="Window"/> gaps between arrivals. Ticks at the same millisecond (the entries of one
/// frame) are one arrival. The usual silence is the second-longest gap of the window, so one long pause (a
/// volatility interruption, a reconnection) does not count, while a code that trades in bursts is judged by the
/// pauses between its bursts rather than by the milliseconds inside them.
/// </para>
/// <para>
/// Judging: stale when silent for longer than <c>factor</c> x the usual silence and longer than <c>floor</c>. A code
/// that ticked 10 times a second and stopped is stale after the floor (e.g. 5 s); a code that trades once a
/// minute is stale after about <c>factor</c> minutes. Until <see cref="MinGaps"/> gaps are learned the pace is
/// unknown and the code is never stale (the feed-wide data timeout covers a code that never ticks). Whether silence
/// matters at all (market open, pair confirmed) is the caller's decision.
/// </para>
/// <para>
/// Threads: <see cref="OnTick"/> has one writer (the socket's receive thread); <see cref="IsStale"/>,
/// <see cref="StaleAfterMs"/> and <see cref="Restart"/> may be called from any other thread (an actor). Lock-free:
/// a reader may see a window one gap older or newer than the writer's, which only moves the estimate by one sample.
/// </para>
/// </summary>
internal sealed class PaceTracker
{
    /// <summary>Gaps remembered.</summary>
    public const int Window = 16;

    /// <summary>Gaps needed before the code can be judged.</summary>
    public const int MinGaps = 4;

    /// <summary>Gaps longer than this (30 minutes) are not learned: they span a closed period, not a code's pace.</summary>
    public const long MaxLearnedGapMs = 30 * 60 * 1000;

    private const long NoTick = long.MinValue;

    private readonly long[] _gaps = new long[Window];
    private readonly long _floorMs;
    private readonly double _factor;
    private long _last = NoTick;      // when the code last ticked (or Restart): silence is measured from it
    private int _count;               // gaps learned, up to Window
    private int _next;                // ring index of the next gap (writer only)
    private int _skipNextGap;         // 1: the next tick starts a new run and teaches no gap (set by Restart)

    /// <param name="floor">Never stale sooner than this after the last tick.</param>
    /// <param name="factor">Stale after this many times the usual silence (at least 1).</param>
    public PaceTracker(TimeSpan floor, double factor = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(floor.Ticks, nameof(floor));
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1, nameof(factor));
        _floorMs = (long)floor.TotalMilliseconds;
        _factor = factor;
    }

    /// <summary>A tick arrived at <paramref name="nowMs"/>. The single writer's call.</summary>
    public void OnTick(long nowMs)
    {
        var last = Volatile.Read(ref _last);
        if (last != NoTick && nowMs <= last) return;                       // same arrival (one frame), or a clock that did not move
        var skip = Interlocked.Exchange(ref _skipNextGap, 0) == 1;
        Volatile.Write(ref _last, nowMs);
        if (last == NoTick || skip || nowMs - last > MaxLearnedGapMs) return;   // a gap across a closed period (a night, a break) is no pace
        Volatile.Write(ref _gaps[_next], nowMs - last);
        _next = (_next + 1) % Window;
        if (_count < Window) Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>
    /// Measures silence from <paramref name="nowMs"/> from now on, and teaches no gap with the next tick: for a pair
    /// confirmed again after an interruption, whose silence during the outage says nothing about its pace.
    /// </summary>
    public void Restart(long nowMs)
    {
        Volatile.Write(ref _skipNextGap, 1);
        Volatile.Write(ref _last, nowMs);
    }

    /// <summary>When the code last ticked (or was restarted); null before either.</summary>
    public long? LastTickMs => Volatile.Read(ref _last) is var last && last != NoTick ? last : null;

    /// <summary>The longest normal silence learned so far (ms): the second-longest gap of the window; null before <see cref="MinGaps"/> gaps.</summary>
    public long? UsualSilenceMs
    {
        get
        {
            var count = Volatile.Read(ref _count);
            if (count < MinGaps) return null;
            long longest = 0, second = 0;
            for (var i = 0; i < count; i++)
            {
                var gap = Volatile.Read(ref _gaps[i]);
                if (gap > longest) (second, longest) = (longest, gap);
                else if (gap > second) second = gap;
            }
            return second;
        }
    }

    /// <summary>Silence (ms) after which the code is stale: max(floor, factor x usual silence); null while the pace is unknown.</summary>
    public long? StaleAfterMs => UsualSilenceMs is { } usual ? Math.Max(_floorMs, (long)Math.Ceiling(_factor * usual)) : null;

    /// <summary>True when the code has been silent at <paramref name="nowMs"/> for longer than <see cref="StaleAfterMs"/>.</summary>
    public bool IsStale(long nowMs)
    {
        var last = Volatile.Read(ref _last);
        return last != NoTick && StaleAfterMs is { } limit && nowMs - last > limit;
    }
}
