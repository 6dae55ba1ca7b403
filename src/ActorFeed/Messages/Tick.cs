using System.Globalization;

namespace ActorFeed.Messages;

/// <summary>
/// One REAL entry as the server sent it. <see cref="Values"/> keeps every field id and string value as received
/// (decoded from the frame's bytes on first access; the typed accessors parse numbers straight from the bytes);
/// the typed accessors read the common 0B (주식체결) fields. A leading sign on a price is the direction
/// against the previous close, not a negative price: <see cref="Price"/> is the absolute value.
/// </summary>
/// <param name="Code">Instrument code (empty for per-account types).</param>
/// <param name="Type">Real-time type, e.g. "0B".</param>
/// <param name="Name">Type name as sent, e.g. "주식체결".</param>
/// <param name="Values">Field id to value, as received.</param>
/// <param name="ReceivedAt">When the frame was received (UTC).</param>
public sealed record Tick(string Code, string Type, string Name, IReadOnlyDictionary<string, string> Values, DateTimeOffset ReceivedAt)
{
    private static readonly TimeSpan Kst = TimeSpan.FromHours(9);

    /// <summary>Raw value of a field, or null.</summary>
    public string? this[string fid] => Values.TryGetValue(fid, out var v) ? v : null;

    /// <summary>Field 10, current price, without its direction sign.</summary>
    public decimal? Price => Abs(Number("10"));
    /// <summary>Field 11, change against the previous close (signed).</summary>
    public decimal? Change => Number("11");
    /// <summary>Field 12, change in percent (signed).</summary>
    public decimal? ChangePercent => Number("12");
    /// <summary>Field 27, best ask, without sign.</summary>
    public decimal? BestAsk => Abs(Number("27"));
    /// <summary>Field 28, best bid, without sign.</summary>
    public decimal? BestBid => Abs(Number("28"));
    /// <summary>Field 15, trade volume: positive for a buy, negative for a sell.</summary>
    public long? TradeVolume => Integer("15");
    /// <summary>Field 13, cumulative volume.</summary>
    public long? CumulativeVolume => Integer("13");
    /// <summary>Field 16, open price, without sign.</summary>
    public decimal? Open => Abs(Number("16"));
    /// <summary>Field 17, high price, without sign.</summary>
    public decimal? High => Abs(Number("17"));
    /// <summary>Field 18, low price, without sign.</summary>
    public decimal? Low => Abs(Number("18"));

    /// <summary>Field 20, trade time HHmmss in Korea Standard Time, as a time of day.</summary>
    public TimeOnly? TradeTime =>
        this["20"] is { Length: 6 } t && TimeOnly.TryParseExact(t, "HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time : null;

    /// <summary>Field 20 placed on the KST calendar day of <see cref="ReceivedAt"/>, as an absolute instant.</summary>
    public DateTimeOffset? ServerTime
    {
        get
        {
            if (TradeTime is not { } time) return null;
            var kstDay = DateOnly.FromDateTime(ReceivedAt.ToOffset(Kst).DateTime);
            return new DateTimeOffset(kstDay.ToDateTime(time), Kst);
        }
    }

    /// <summary>A field parsed as a signed decimal, or null when absent or not a number.</summary>
    public decimal? Number(string fid)
    {
        if (Values is FieldValues fields) return fields.TryGetDecimal(fid, out var v) ? v : null;
        return this[fid] is { } s && decimal.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) ? d : null;
    }

    /// <summary>A field parsed as a signed integer, or null.</summary>
    public long? Integer(string fid)
    {
        if (Values is FieldValues fields) return fields.TryGetInt64(fid, out var v) ? v : null;
        return this[fid] is { } s && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    private static decimal? Abs(decimal? d) => d is { } v ? Math.Abs(v) : null;
}
