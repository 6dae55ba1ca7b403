namespace ActorFeed.Supervision;

/// <summary>
/// Counts link drops in a sliding window and tells since when the link has been "flapping": at least
/// <c>drops</c> of them within <c>window</c>, without a pause. A plain class (the FeedSupervisor owns one and feeds it
/// the time of each connection failure from its TimeProvider); no timers: every question is answered for the time it
/// is asked at. A drop at <c>t</c> counts in the window while <c>now - window &lt; t</c>.
/// </summary>
internal sealed class FlapDetector
{
    private readonly int _threshold;
    private readonly TimeSpan _window;
    private readonly Queue<DateTimeOffset> _drops = new();   // the drops still in the window, oldest first
    private DateTimeOffset? _since;

    public FlapDetector(int threshold, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _threshold = threshold;
        _window = window;
    }

    /// <summary>Records a drop at <paramref name="at"/> (calls come in time order).</summary>
    public void Drop(DateTimeOffset at)
    {
        Advance(at);
        _drops.Enqueue(at);
        if (_since is null && _drops.Count >= _threshold) _since = at;
    }

    /// <summary>Drops within the window ending at <paramref name="now"/>.</summary>
    public int RecentDrops(DateTimeOffset now)
    {
        Advance(now);
        return _drops.Count;
    }

    /// <summary>Since when the link has been flapping without a pause, as seen at <paramref name="now"/>; null when it is not.</summary>
    public DateTimeOffset? FlappingSince(DateTimeOffset now)
    {
        Advance(now);
        return _since;
    }

    /// <summary>
    /// Between two drops the threshold-th most recent drop does not change, so the flapping stops exactly when that
    /// drop leaves the window; checking it at the next drop or question is enough to see whether it stopped meanwhile.
    /// </summary>
    private void Advance(DateTimeOffset now)
    {
        if (_since is not null && _drops.Count >= _threshold && _drops.ElementAt(_drops.Count - _threshold) + _window <= now)
            _since = null;
        while (_drops.Count > 0 && _drops.Peek() + _window <= now) _drops.Dequeue();
        if (_drops.Count < _threshold) _since = null;
    }
}
