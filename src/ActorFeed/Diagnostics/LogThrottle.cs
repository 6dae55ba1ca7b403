namespace ActorFeed.Diagnostics;

/// <summary>
/// Keeps one kind of log line from flooding the log when a server sends the same thing over and over (malformed
/// frames, unknown frames, notices): the first occurrence is logged at once and opens a window of
/// <see cref="Interval"/>; occurrences inside the window are only counted, and when it ends
/// <see cref="TryFlush"/> gives one summary (how many, the last one's detail), which opens the next window, so a
/// steady flood gives one line per interval. A quiet window closes without a line, and the next occurrence is
/// logged at once again. A plain class on the caller's clock (an actor's scheduler time): not thread-safe.
/// </summary>
internal sealed class LogThrottle(TimeSpan interval)
{
    /// <summary>Longest detail kept for a log line (<see cref="Clip"/>).</summary>
    public const int MaxDetail = 64;

    private DateTimeOffset? _windowStart;
    private int _suppressed;
    private string _last = "";

    /// <summary>The window length: at most one line per this interval.</summary>
    public TimeSpan Interval { get; } = interval > TimeSpan.Zero ? interval : throw new ArgumentOutOfRangeException(nameof(interval));

    /// <summary>When the summary of what was suppressed is due; null when nothing is waiting for one.</summary>
    public DateTimeOffset? DueAt => _suppressed > 0 ? _windowStart + Interval : null;

    /// <summary>
    /// One occurrence at <paramref name="now"/>: true when the caller logs it now (the first after a quiet window),
    /// false when it was counted for the next summary. Call <see cref="TryFlush"/> first, so that a window that has
    /// ended gives its summary before a new one opens.
    /// </summary>
    public bool Hit(DateTimeOffset now, string detail)
    {
        if (_windowStart is { } start && (now < start + Interval || _suppressed > 0))
        {
            _suppressed++;
            _last = detail;
            return false;
        }
        _windowStart = now;
        return true;
    }

    /// <summary>
    /// When the window has ended by <paramref name="now"/>: the summary of what it suppressed (true, and the next
    /// window opens now), or nothing (false, and the window closes). False while the window is still open.
    /// </summary>
    public bool TryFlush(DateTimeOffset now, out int count, out string last, out TimeSpan span)
    {
        count = 0;
        last = "";
        span = TimeSpan.Zero;
        if (_windowStart is not { } start || now < start + Interval) return false;
        if (_suppressed == 0)
        {
            _windowStart = null;
            return false;
        }
        (count, last, span) = (_suppressed, _last, now - start);
        _suppressed = 0;
        _last = "";
        _windowStart = now;
        return true;
    }

    /// <summary><paramref name="text"/> cut to <paramref name="max"/> characters (an ellipsis and the full length mark the cut).</summary>
    public static string Clip(string? text, int max = MaxDetail)
    {
        if (text is null) return "";
        if (text.Length <= max) return text;
        var cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return $"{text[..cut]}… ({text.Length} chars)";
    }
}
