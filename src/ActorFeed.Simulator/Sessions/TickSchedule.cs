namespace ActorFeed.Simulator.Sessions;

/// <summary>
/// The REAL entries one session owes: for each registered "code/type" key, the fraction of a tick accrued so far.
/// Registration adds and removes keys; the tick pump takes the whole ticks that are due. Thread-safe.
/// </summary>
internal sealed class TickSchedule
{
    private readonly Dictionary<string, double> _due = new(StringComparer.Ordinal);  // "code/type" -> ticks owed
    private readonly object _gate = new();

    /// <summary>Starts owing ticks for these keys (a key already present keeps what it owes).</summary>
    public void Add(IEnumerable<string> keys)
    {
        lock (_gate)
            foreach (var k in keys) _due.TryAdd(k, 0);
    }

    /// <summary>Stops owing ticks for these keys.</summary>
    public void Remove(IEnumerable<string> keys)
    {
        lock (_gate)
            foreach (var k in keys) _due.Remove(k);
    }

    /// <summary>
    /// Adds <paramref name="owed"/> ticks to every key, and fills <paramref name="entries"/> (cleared first) with the
    /// whole ticks now due, round-robin over the keys, so that a frame carries many codes, as an exchange's would.
    /// <paramref name="scratch"/> is working space, reused between calls.
    /// </summary>
    public void Take(double owed, List<(string Key, int Count)> scratch, List<string> entries)
    {
        entries.Clear();
        lock (_gate)
        {
            scratch.Clear();
            foreach (var key in _due.Keys.ToList())
            {
                var due = _due[key] + owed;
                var whole = (int)due;
                _due[key] = due - whole;
                if (whole > 0) scratch.Add((key, whole));
            }
        }
        for (var round = 0; scratch.Count > 0; round++)
        {
            scratch.RemoveAll(o => o.Count <= round);
            foreach (var (key, _) in scratch) entries.Add(key);
        }
    }
}
