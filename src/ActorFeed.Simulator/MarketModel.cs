using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ActorFeed.Simulator;

/// <summary>
/// Prices for every code: a random walk on KRX tick sizes around a previous close derived from the code,
/// written with Kiwoom's sign convention (a leading + or - is the direction against the previous close)
/// and KST times. Thread-safe.
/// </summary>
internal sealed class MarketModel(int seed)
{
    private static readonly TimeSpan Kst = TimeSpan.FromHours(9);
    private readonly Dictionary<string, Instrument> _instruments = new(StringComparer.Ordinal);
    private readonly Random _random = new(seed);
    private readonly object _gate = new();

    /// <summary>Writes one REAL entry object for <paramref name="code"/> and <paramref name="type"/>.</summary>
    public void WriteEntry(Utf8JsonWriter w, string code, string type, bool stamp)
    {
        var now = DateTimeOffset.UtcNow.ToOffset(Kst);
        var time = now.ToString("HHmmss", CultureInfo.InvariantCulture);
        Instrument i;
        int move, volume;
        lock (_gate)
        {
            if (!_instruments.TryGetValue(code, out i!))
                _instruments[code] = i = new Instrument(BasePrice(code));
            move = _random.Next(-2, 3);
            volume = _random.Next(1, 500) * (_random.Next(2) == 0 ? 1 : -1);
            i.Step(move, volume);
        }
        w.WriteStartObject();
        w.WriteString("type", type);
        w.WriteString("name", type == "0D" ? "주식호가잔량" : "주식체결");
        w.WriteString("item", code);
        w.WriteStartObject("values");
        if (type == "0D")
        {
            w.WriteString("21", time);
            w.WriteString("41", Signed(i.Price + i.TickSize, i.PreviousClose));
            w.WriteString("51", Signed(i.Price, i.PreviousClose));
            w.WriteString("61", (Math.Abs(volume) * 3).ToString(CultureInfo.InvariantCulture));
            w.WriteString("71", (Math.Abs(volume) * 2).ToString(CultureInfo.InvariantCulture));
            w.WriteString("121", (Math.Abs(volume) * 31).ToString(CultureInfo.InvariantCulture));
            w.WriteString("125", (Math.Abs(volume) * 29).ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            var change = i.Price - i.PreviousClose;
            w.WriteString("20", time);
            w.WriteString("10", Signed(i.Price, i.PreviousClose));
            w.WriteString("11", change == 0 ? "0" : change.ToString("+0;-0", CultureInfo.InvariantCulture));
            w.WriteString("12", (change * 100m / i.PreviousClose).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture));
            w.WriteString("27", Signed(i.Price + i.TickSize, i.PreviousClose));
            w.WriteString("28", Signed(i.Price, i.PreviousClose));
            w.WriteString("15", volume.ToString("+0;-0", CultureInfo.InvariantCulture));
            w.WriteString("13", i.CumulativeVolume.ToString(CultureInfo.InvariantCulture));
            w.WriteString("14", (i.CumulativeValue / 1_000_000).ToString(CultureInfo.InvariantCulture));
            w.WriteString("16", Signed(i.Open, i.PreviousClose));
            w.WriteString("17", Signed(i.High, i.PreviousClose));
            w.WriteString("18", Signed(i.Low, i.PreviousClose));
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

    private static long BasePrice(string code)
    {
        var h = 17;
        foreach (var ch in code) h = h * 31 + ch;
        var raw = 5_000 + Math.Abs(h % 295_000);
        var tick = TickSizeOf(raw);
        return raw / tick * tick;
    }

    private static long TickSizeOf(long price) => price switch
    {
        < 2_000 => 1, < 5_000 => 5, < 20_000 => 10, < 50_000 => 50, < 200_000 => 100, < 500_000 => 500, _ => 1_000,
    };

    private sealed class Instrument(long previousClose)
    {
        public long PreviousClose { get; } = previousClose;
        public long Price { get; private set; } = previousClose;
        public long Open { get; private set; } = previousClose;
        public long High { get; private set; } = previousClose;
        public long Low { get; private set; } = previousClose;
        public long CumulativeVolume { get; private set; }
        public long CumulativeValue { get; private set; }
        public long TickSize => TickSizeOf(Price);

        public void Step(int ticks, int volume)
        {
            var next = Price + ticks * TickSize;
            var limit = PreviousClose * 3 / 10;                     // ±30 % daily limit
            Price = Math.Clamp(next, PreviousClose - limit, PreviousClose + limit);
            High = Math.Max(High, Price);
            Low = Math.Min(Low, Price);
            CumulativeVolume += Math.Abs(volume);
            CumulativeValue += Math.Abs(volume) * Price;
        }
    }
}
