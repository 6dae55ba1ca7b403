using ActorFeed.Diagnostics;

namespace ActorFeed.Tests.Diagnostics;

/// <summary>The log throttle alone, on a clock the spec moves (the ConnectionActor gives it its scheduler's time).</summary>
public sealed class LogThrottleSpec
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Log_throttle_must_log_the_first_at_once_and_sum_up_the_rest_once_per_interval()
    {
        var throttle = new LogThrottle(Interval);
        Assert.True(throttle.Hit(T0, "a"));                                       // the first: at once
        Assert.Null(throttle.DueAt);                                              // nothing owed yet
        for (var i = 1; i <= 37; i++) Assert.False(throttle.Hit(T0 + i * Ms, $"b{i}"));
        Assert.Equal(T0 + Interval, throttle.DueAt);
        Assert.False(throttle.TryFlush(T0 + Interval - Ms, out _, out _, out _));  // not 1 ms before the window ends
        Assert.True(throttle.TryFlush(T0 + Interval, out var count, out var last, out var span));
        Assert.Equal((37, "b37", Interval), (count, last, span));
        Assert.Null(throttle.DueAt);

        // a steady flood: one summary per interval, none in between
        Assert.False(throttle.Hit(T0 + Interval + Ms, "c"));
        Assert.False(throttle.TryFlush(T0 + 2 * Interval - Ms, out _, out _, out _));
        Assert.True(throttle.TryFlush(T0 + 2 * Interval, out count, out last, out _));
        Assert.Equal((1, "c"), (count, last));

        // a quiet window closes without a line; the next occurrence is logged at once again
        Assert.False(throttle.TryFlush(T0 + 3 * Interval, out _, out _, out _));
        Assert.True(throttle.Hit(T0 + 3 * Interval + Ms, "d"));
    }

    [Fact]
    public void Log_throttle_must_not_log_a_new_first_line_while_a_summary_is_owed()
    {
        var throttle = new LogThrottle(Interval);
        Assert.True(throttle.Hit(T0, "a"));
        Assert.False(throttle.Hit(T0 + Ms, "b"));
        // the caller missed the flush: the late occurrence joins the summary instead of opening a window
        Assert.False(throttle.Hit(T0 + 3 * Interval, "c"));
        Assert.True(throttle.TryFlush(T0 + 3 * Interval, out var count, out var last, out var span));
        Assert.Equal((2, "c", 3 * Interval), (count, last, span));
    }

    [Fact]
    public void Log_throttle_must_log_again_at_once_after_a_quiet_interval()
    {
        var throttle = new LogThrottle(Interval);
        Assert.True(throttle.Hit(T0, "a"));
        Assert.False(throttle.Hit(T0 + Interval - Ms, "b"));                     // inside the window
        Assert.True(throttle.TryFlush(T0 + Interval, out _, out _, out _));
        Assert.False(throttle.TryFlush(T0 + 2 * Interval, out _, out _, out _)); // quiet: closes
        Assert.True(throttle.Hit(T0 + 2 * Interval, "c"));
        var fresh = new LogThrottle(Interval);
        Assert.True(fresh.Hit(T0, "a"));
        Assert.True(fresh.Hit(T0 + Interval, "b"));                               // window over, nothing suppressed: at once
    }

    [Theory]
    [InlineData("short", 64, "short")]
    [InlineData("abcdef", 3, "abc… (6 chars)")]
    [InlineData(null, 3, "")]
    public void Log_throttle_must_clip_long_text(string? text, int max, string expected) => Assert.Equal(expected, LogThrottle.Clip(text, max));

    [Fact]
    public void Log_throttle_must_not_split_a_surrogate_pair_when_clipping()
    {
        var text = "ab\U0001F600cd";                                              // 'a' 'b' high low 'c' 'd'
        Assert.Equal("ab… (6 chars)", LogThrottle.Clip(text, 3));
        Assert.Equal(64 + " (1000 chars)".Length + 1, LogThrottle.Clip(new string('x', 1000)).Length);
    }
}
