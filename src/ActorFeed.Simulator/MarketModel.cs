using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ActorFeed.Simulator;

/// <summary>
/// The market: one trade tape per code (<see cref="Tape"/>), shared by every session. Trades happen on the market's
/// clock at <see cref="SimulatorOptions.TicksPerSecondPerItem"/> per code whether or not a session is there to see
/// them, so FID 13 (cumulative volume) is the same for a trade whichever session receives it, and a session that was
/// away missed real volume. The market's clock stops while <see cref="SimulatorFaults.MarketClosed"/>: no trades
/// happen then, and none are made up when it opens again. Thread-safe.
/// </summary>
internal sealed class MarketModel(SimulatorOptions options, SimulatorFaults faults)
{
    private readonly ConcurrentDictionary<string, Tape> _tapes = new(StringComparer.Ordinal);

    /// <summary>The tape of <paramref name="code"/>, created (starting now, with no trades) on first use.</summary>
    public Tape TapeOf(string code) => _tapes.GetOrAdd(code, static (c, seed) => new Tape(c, seed), options.Seed);

    /// <summary>The market's clock (Stopwatch ticks with the closed periods taken out) and the trade rate, read once per pump cycle.</summary>
    public (long Now, double Rate, int KstTime) Clock()
    {
        var kst = DateTime.UtcNow.AddHours(9).TimeOfDay;
        return (faults.MarketTimestamp(), options.TicksPerSecondPerItem, kst.Hours * 10_000 + kst.Minutes * 100 + kst.Seconds);
    }

    /// <summary>Writes one REAL entry object: a trade (0B and every type but 0D) or the order book after it (0D).</summary>
    public static void WriteEntry(Utf8JsonWriter w, in RealEntry entry, bool stamp)
    {
        var tape = entry.Tape;
        var t = entry.Trade;
        var time = t.KstTime.ToString("D6", CultureInfo.InvariantCulture);
        var size = Math.Abs(t.Volume);
        w.WriteStartObject();
        w.WriteString("type", entry.Type);
        w.WriteString("name", entry.Type == "0D" ? "주식호가잔량" : "주식체결");
        w.WriteString("item", tape.Code);
        w.WriteStartObject("values");
        if (entry.Type == "0D")
        {
            w.WriteString("21", time);
            w.WriteString("41", Signed(t.Price + Tape.TickSizeOf(t.Price), tape.PreviousClose));
            w.WriteString("51", Signed(t.Price, tape.PreviousClose));
            w.WriteString("61", (size * 3).ToString(CultureInfo.InvariantCulture));
            w.WriteString("71", (size * 2).ToString(CultureInfo.InvariantCulture));
            w.WriteString("121", (size * 31).ToString(CultureInfo.InvariantCulture));
            w.WriteString("125", (size * 29).ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            var change = t.Price - tape.PreviousClose;
            w.WriteString("20", time);
            w.WriteString("10", Signed(t.Price, tape.PreviousClose));
            w.WriteString("11", change == 0 ? "0" : change.ToString("+0;-0", CultureInfo.InvariantCulture));
            w.WriteString("12", (change * 100m / tape.PreviousClose).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture));
            w.WriteString("27", Signed(t.Price + Tape.TickSizeOf(t.Price), tape.PreviousClose));
            w.WriteString("28", Signed(t.Price, tape.PreviousClose));
            w.WriteString("15", t.Volume.ToString("+0;-0", CultureInfo.InvariantCulture));
            w.WriteString("13", t.CumulativeVolume.ToString(CultureInfo.InvariantCulture));
            w.WriteString("14", (t.CumulativeValue / 1_000_000).ToString(CultureInfo.InvariantCulture));
            w.WriteString("16", Signed(tape.PreviousClose, tape.PreviousClose));
            w.WriteString("17", Signed(t.High, tape.PreviousClose));
            w.WriteString("18", Signed(t.Low, tape.PreviousClose));
            w.WriteString("25", change > 0 ? "2" : change < 0 ? "5" : "3");
            w.WriteString("228", "98.92");
            w.WriteString("290", "2");
            w.WriteString("9081", "1");
        }
        if (stamp) w.WriteString("9999", NowMicros().ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static long NowMicros() => SimClock.NowMicros();

    private static string Signed(long price, long previousClose) =>
        price > previousClose ? "+" + price.ToString(CultureInfo.InvariantCulture)
        : price < previousClose ? "-" + price.ToString(CultureInfo.InvariantCulture)
        : price.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One trade of a tape.</summary>
/// <param name="Sequence">Its number on the code's tape, from 1.</param>
/// <param name="Price">Trade price (KRW).</param>
/// <param name="Volume">FID 15: shares, positive for a buy, negative for a sell.</param>
/// <param name="CumulativeVolume">FID 13: the sum of |volume| of every trade of the code up to and including this one.</param>
/// <param name="CumulativeValue">Sum of |volume| x price (KRW).</param>
/// <param name="High">Day high up to this trade.</param>
/// <param name="Low">Day low up to this trade.</param>
/// <param name="KstTime">When it happened, HHmmss in KST as a number.</param>
internal readonly record struct Trade(long Sequence, long Price, int Volume, long CumulativeVolume, long CumulativeValue, long High, long Low, int KstTime);

/// <summary>A REAL entry to write: a trade of a tape, as the given type, in the session's registration run <paramref name="Run"/>.</summary>
internal readonly record struct RealEntry(Tape Tape, string Type, Trade Trade, int Run);

/// <summary>Where one reader (a session's registration of a code and type) is on a <see cref="Tape"/>: the last trade it was given.</summary>
internal sealed class TapeReader
{
    public long Cursor { get; set; }
}

/// <summary>
/// The trades of one code: a random walk on KRX tick sizes around a previous close derived from the code, at a rate on
/// the market's clock. Trades are made when a reader asks, and only those a reader can still be given: trades before
/// every joined reader's cursor are folded into one step of the walk (their volume counts in FID 13, nobody sees them),
/// so a code nobody reads, or a session skipping ahead because it is behind, costs nothing. The trades made are kept in
/// a ring (grown on demand up to <see cref="MaxRing"/>) so that every reader gets the same ones; a reader further
/// behind than that loses the oldest (the exchange conflates). Thread-safe (one lock per tape).
/// </summary>
internal sealed class Tape
{
    public const int MaxRing = 1024;
    private const int FirstRing = 8;

    private readonly object _gate = new();
    private readonly List<TapeReader> _readers = [];
    private ulong _random;
    private bool _started;
    private long _clockAt;         // market clock of the last advance
    private double _fraction;      // part of a trade accrued
    private long _due;             // trades that have happened (the last one's sequence)
    private long _head;            // trades made or folded (the last one's sequence); _head <= _due
    private long _firstKept = 1;   // the oldest trade still in the ring
    private bool _grow;            // a reader lost trades to the ring's size: grow on the next batch
    private Trade[] _ring = [];
    private long _price, _high, _low, _cumulativeVolume, _cumulativeValue;

    public Tape(string code, int seed)
    {
        Code = code;
        ulong h = 14695981039346656037;                       // FNV-1a: the same in every process, unlike string.GetHashCode
        foreach (var ch in code) h = (h ^ ch) * 1099511628211;
        _random = (h ^ ((ulong)(uint)seed * 0x9E3779B97F4A7C15)) | 1;
        var raw = 5_000 + (long)(h % 295_000);
        PreviousClose = raw / TickSizeOf(raw) * TickSizeOf(raw);
        _price = _high = _low = PreviousClose;
    }

    public string Code { get; }
    public long PreviousClose { get; }

    public static long TickSizeOf(long price) => price switch
    {
        < 2_000 => 1, < 5_000 => 5, < 20_000 => 10, < 50_000 => 50, < 200_000 => 100, < 500_000 => 500, _ => 1_000,
    };

    /// <summary>A new reader, starting at the present: it will be given the trades that happen from now on.</summary>
    public TapeReader Join(long now, double rate)
    {
        lock (_gate)
        {
            Advance(now, rate);
            var reader = new TapeReader { Cursor = _due };
            _readers.Add(reader);
            return reader;
        }
    }

    /// <summary>The reader reads no more.</summary>
    public void Leave(TapeReader reader)
    {
        lock (_gate) _readers.Remove(reader);
    }

    /// <summary>
    /// Appends to <paramref name="into"/> the trades after the reader's cursor that have happened by
    /// <paramref name="now"/>, as entries of <paramref name="type"/> in <paramref name="run"/>, and moves the cursor;
    /// returns how many trades after the cursor were lost (no longer kept).
    /// </summary>
    public long Read(TapeReader reader, long now, double rate, int kstTime, string type, int run, List<RealEntry> into)
    {
        lock (_gate)
        {
            Advance(now, rate);
            var cursor = reader.Cursor;
            if (cursor >= _due) return 0;
            Make(kstTime);
            var from = Math.Max(cursor + 1, _firstKept);
            var lost = from - (cursor + 1);
            if (lost > 0 && _ring.Length < MaxRing) _grow = true;
            for (var seq = from; seq <= _due; seq++) into.Add(new RealEntry(this, type, _ring[seq % _ring.Length], run));
            reader.Cursor = _due;
            return lost;
        }
    }

    /// <summary>Moves a reader that is too far behind to read to the present; returns how many trades it skips.</summary>
    public long Skip(TapeReader reader, long now, double rate)
    {
        lock (_gate)
        {
            Advance(now, rate);
            var skipped = Math.Max(0, _due - reader.Cursor);
            reader.Cursor = Math.Max(reader.Cursor, _due);
            return skipped;
        }
    }

    private void Advance(long now, double rate)
    {
        if (!_started)
        {
            _started = true;
            _clockAt = now;
            return;
        }
        if (now <= _clockAt) return;
        var owed = _fraction + (now - _clockAt) * rate / Stopwatch.Frequency;
        _clockAt = now;
        var whole = Math.Floor(owed);
        _fraction = owed - whole;
        _due += (long)whole;
    }

    /// <summary>Makes the trades up to <see cref="_due"/> that a reader can still be given; folds the others into one step.</summary>
    private void Make(int kstTime)
    {
        var needed = _due;                                            // every reader has been given the trades up to here
        foreach (var r in _readers) needed = Math.Min(needed, r.Cursor);
        var foldTo = Math.Max(needed, _due - MaxRing);
        if (foldTo > _head)
        {
            var folded = foldTo - _head;
            Step(Move(), folded * (long)(1 + Next(499)));
            _head = foldTo;
            _firstKept = _head + 1;
        }
        var n = _due - _head;
        if (n <= 0) return;
        if (n > _ring.Length || _grow) Resize((int)Math.Min(MaxRing, Math.Max(FirstRing, Math.Max(n, _grow ? _ring.Length * 2L : 0))));
        for (var i = 0; i < n; i++)
        {
            var volume = (int)(1 + Next(499)) * (Next(2) == 0 ? 1 : -1);
            Step(Move(), Math.Abs(volume));
            _head++;
            _ring[_head % _ring.Length] = new Trade(_head, _price, volume, _cumulativeVolume, _cumulativeValue, _high, _low, kstTime);
        }
        _firstKept = Math.Max(_firstKept, _head - _ring.Length + 1);
    }

    private void Resize(int length)
    {
        length = (int)Math.Min(MaxRing, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)length));
        _grow = false;
        if (length <= _ring.Length) return;
        var ring = new Trade[length];
        for (var seq = Math.Max(_firstKept, _head - _ring.Length + 1); seq <= _head && _ring.Length > 0; seq++)
            ring[seq % length] = _ring[seq % _ring.Length];
        _ring = ring;
    }

    private int Move() => (int)Next(5) - 2;

    private void Step(int ticks, long volume)
    {
        var next = _price + ticks * TickSizeOf(_price);
        var limit = PreviousClose * 3 / 10;                          // ±30 % daily limit
        _price = Math.Clamp(next, PreviousClose - limit, PreviousClose + limit);
        _high = Math.Max(_high, _price);
        _low = Math.Min(_low, _price);
        _cumulativeVolume += volume;
        _cumulativeValue += volume * _price;
    }

    /// <summary>xorshift64: a uniform number below <paramref name="bound"/>.</summary>
    private ulong Next(ulong bound)
    {
        var x = _random;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        _random = x;
        return x % bound;
    }
}
