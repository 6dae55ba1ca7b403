namespace ActorFeed.Simulator.Sessions;

/// <summary>
/// What one session is registered for: for each "code/type" key, a reader on the code's <see cref="Tape"/> (its cursor is
/// the last trade this session was given). Registration adds and removes keys; the tick pump takes the trades that happened since
/// the cursors. A key added starts at the present (no trades from before its registration) in a new run, the number the
/// record uses to tell one registration of a code from the next. Thread-safe.
/// </summary>
internal sealed class TickSchedule(MarketModel market)
{
    private readonly Dictionary<string, Key> _keys = new(StringComparer.Ordinal);
    private readonly List<(int Start, int Count)> _spans = [];
    private readonly List<RealEntry> _flat = [];
    private readonly object _gate = new();
    private int _runs;

    /// <summary>Starts following these keys from now (a key already present keeps its cursor and run).</summary>
    public void Add(IEnumerable<string> keys)
    {
        var (now, rate, _) = market.Clock();
        lock (_gate)
            foreach (var k in keys)
            {
                if (_keys.ContainsKey(k)) continue;
                var slash = k.IndexOf('/');
                var tape = market.TapeOf(k[..slash]);
                _keys[k] = new Key(tape, tape.Join(now, rate), k[(slash + 1)..], ++_runs);
            }
    }

    /// <summary>Stops following these keys.</summary>
    public void Remove(IEnumerable<string> keys)
    {
        lock (_gate)
            foreach (var k in keys)
                if (_keys.Remove(k, out var key)) key.Tape.Leave(key.Reader);
    }

    /// <summary>Stops following every key (forgotten registrations, or the session ended).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            foreach (var key in _keys.Values) key.Tape.Leave(key.Reader);
            _keys.Clear();
        }
    }

    /// <summary>
    /// Fills <paramref name="entries"/> (cleared first) with the trades of every key since its cursor, round-robin over
    /// the keys (the first new trade of each key, then the second, ...), so that a frame carries many codes, as an
    /// exchange's would. Returns the trades lost because the session was further behind than the tape keeps.
    /// </summary>
    public long Take(List<RealEntry> entries)
    {
        entries.Clear();
        var (now, rate, kstTime) = market.Clock();
        long lost = 0;
        lock (_gate)
        {
            _spans.Clear();
            _flat.Clear();
            var rounds = 0;
            foreach (var key in _keys.Values)
            {
                var start = _flat.Count;
                lost += key.Tape.Read(key.Reader, now, rate, kstTime, key.Type, key.Run, _flat);
                var count = _flat.Count - start;
                if (count == 0) continue;
                _spans.Add((start, count));
                rounds = Math.Max(rounds, count);
            }
            for (var round = 0; round < rounds; round++)
                foreach (var (start, count) in _spans)
                    if (round < count) entries.Add(_flat[start + round]);
            _flat.Clear();
        }
        return lost;
    }

    /// <summary>Moves every cursor to the present without taking the trades (the session is too far behind); returns how many were skipped.</summary>
    public long Skip()
    {
        var (now, rate, _) = market.Clock();
        long skipped = 0;
        lock (_gate)
            foreach (var key in _keys.Values) skipped += key.Tape.Skip(key.Reader, now, rate);
        return skipped;
    }

    private sealed record Key(Tape Tape, TapeReader Reader, string Type, int Run);
}
