using System.Globalization;

namespace ActorFeed.Kiwoom;

/// <summary>Which trading session a venue is in at a moment (see <see cref="MarketCalendar.SessionAt"/>).</summary>
internal enum MarketSession
{
    /// <summary>No trading: night, weekend, holiday (silence is normal).</summary>
    Closed,
    /// <summary>KRX 08:30-09:00: orders collected for the opening single-price auction; no trades yet.</summary>
    PreOpen,
    /// <summary>KRX 09:00-15:20: continuous trading.</summary>
    Regular,
    /// <summary>KRX 15:20-15:30: orders collected for the closing single-price auction; one match at 15:30.</summary>
    ClosingAuction,
    /// <summary>KRX 15:40-18:00: after-hours closing-price and single-price trading (a match every 10 minutes).</summary>
    AfterHours,
    /// <summary>Nextrade 08:00-20:00 (codes ending <c>_NX</c>; <c>_AL</c> codes when KRX is closed).</summary>
    Nxt,
}

/// <summary>How <see cref="MarketCalendar"/> decides: the exchange calendar, or always open.</summary>
internal enum MarketCalendarMode
{
    /// <summary>KRX and Nextrade sessions in Korea Standard Time, weekends and the holiday list closed.</summary>
    Krx,
    /// <summary>Always open, data always expected: for tests, demos and 24-hour venues.</summary>
    Always,
}

/// <summary>
/// When the Korean market trades, so that the feed can tell a quiet market from a dead feed. Times are Korea
/// Standard Time (UTC+9, no daylight saving); the instant given is converted, so a UTC instant late in the day is
/// already the next KST day. Every question takes the moment explicitly: the class never reads a clock.
/// <para>
/// Venue of a code: ending <c>_NX</c> = Nextrade (08:00-20:00); ending <c>_AL</c> (smart routing) = open when either
/// venue is; anything else (KRX codes, 3-digit sector codes, the empty code of per-account types) = KRX: pre-open
/// 08:30-09:00, continuous trading 09:00-15:20, closing auction 15:20-15:30, after-hours 15:40-18:00. Saturdays,
/// Sundays and the configured holidays (KST calendar days, both venues) are closed.
/// </para>
/// <para>
/// <see cref="ExpectsData"/> is narrower than "open": only where trades come continuously, so that silence of a
/// liquid code means the data stopped. KRX: 09:00-15:20 only; the pre-open, the closing auction and after-hours
/// are single-price sessions where minutes without a trade are normal. Nextrade: 08:00-20:00 except its two breaks
/// around the KRX auctions, 08:50-09:00:30 and 15:20-15:30, when Nextrade does not trade. Days with a late opening
/// (the first trading day of the year, the college entrance exam day open at 10:00), early closes and halts are not
/// in the clock: the feed asks <see cref="MarketSignals"/>, which narrows this calendar by the server's 0s session
/// pushes when the 0s type is subscribed (without it, the first hour of such a day expects data that does not come).
/// </para>
/// Immutable and thread-safe.
/// </summary>
internal sealed class MarketCalendar
{
    /// <summary>Korea Standard Time: UTC+9, all year.</summary>
    public static readonly TimeSpan Kst = TimeSpan.FromHours(9);

    private static readonly TimeSpan NxtOpen = new(8, 0, 0), NxtPreMarketEnd = new(8, 50, 0), NxtMainStart = new(9, 0, 30),
        NxtMainEnd = new(15, 20, 0), NxtAfterMarketStart = new(15, 30, 0), NxtClose = new(20, 0, 0);
    private static readonly TimeSpan KrxPreOpen = new(8, 30, 0), KrxOpen = new(9, 0, 0), KrxAuction = new(15, 20, 0),
        KrxClose = new(15, 30, 0), KrxAfterHours = new(15, 40, 0), KrxAfterHoursEnd = new(18, 0, 0);

    private static readonly TimeSpan[] KrxChanges = [KrxPreOpen, KrxOpen, KrxAuction, KrxClose, KrxAfterHours, KrxAfterHoursEnd];
    private static readonly TimeSpan[] NxtChanges = [NxtOpen, NxtPreMarketEnd, NxtMainStart, NxtMainEnd, NxtAfterMarketStart, NxtClose];
    private static readonly TimeSpan[] AllChanges = [.. KrxChanges.Concat(NxtChanges).Distinct().Order()];

    /// <summary>Longest run of closed days <see cref="NextChange"/> looks across.</summary>
    private const int MaxClosedDays = 366;

    private readonly HashSet<DateOnly> _holidays;

    /// <param name="mode">The exchange calendar (default) or always open.</param>
    /// <param name="holidays">Exchange holidays (KST calendar days), closed for both venues.</param>
    public MarketCalendar(MarketCalendarMode mode = MarketCalendarMode.Krx, IEnumerable<DateOnly>? holidays = null)
    {
        Mode = mode;
        _holidays = [.. holidays ?? []];
    }

    /// <summary>The exchange calendar with no holidays.</summary>
    public static MarketCalendar Krx { get; } = new();

    /// <summary>Always open.</summary>
    public static MarketCalendar AlwaysOpen { get; } = new(MarketCalendarMode.Always);

    /// <summary>The mode it was built with.</summary>
    public MarketCalendarMode Mode { get; }

    /// <summary>The holidays it was built with.</summary>
    public IReadOnlySet<DateOnly> Holidays => _holidays;

    /// <summary>Reads a mode as configured: "krx" or "always" (any case).</summary>
    public static bool TryParseMode(string? text, out MarketCalendarMode mode)
    {
        mode = MarketCalendarMode.Krx;
        if (string.Equals(text, "krx", StringComparison.OrdinalIgnoreCase)) return true;
        if (!string.Equals(text, "always", StringComparison.OrdinalIgnoreCase)) return false;
        mode = MarketCalendarMode.Always;
        return true;
    }

    /// <summary>Reads a holiday as configured: exactly <c>yyyy-MM-dd</c>, a KST calendar day.</summary>
    public static bool TryParseHoliday(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    /// <summary>True when <paramref name="kstDay"/> is a trading day: a weekday that is not a holiday.</summary>
    public bool IsTradingDay(DateOnly kstDay) =>
        Mode == MarketCalendarMode.Always
        || (kstDay.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_holidays.Contains(kstDay));

    /// <summary>
    /// The session of <paramref name="code"/>'s venue at <paramref name="at"/>. For an <c>_AL</c> code: the KRX
    /// session while KRX is not closed, else <see cref="MarketSession.Nxt"/> while Nextrade is open. In
    /// <see cref="MarketCalendarMode.Always"/>: <see cref="MarketSession.Nxt"/> for <c>_NX</c> codes, else
    /// <see cref="MarketSession.Regular"/>.
    /// </summary>
    public MarketSession SessionAt(DateTimeOffset at, string code)
    {
        var venue = VenueOf(code);
        if (Mode == MarketCalendarMode.Always) return venue == Venue.Nxt ? MarketSession.Nxt : MarketSession.Regular;
        var (day, time) = Local(at);
        if (!IsTradingDay(day)) return MarketSession.Closed;
        var krx = venue == Venue.Nxt ? MarketSession.Closed : KrxSession(time);
        if (krx != MarketSession.Closed) return krx;
        return venue != Venue.Krx && time >= NxtOpen && time < NxtClose ? MarketSession.Nxt : MarketSession.Closed;
    }

    /// <summary>
    /// True when trades of a liquid <paramref name="code"/> come continuously at <paramref name="at"/>, so that
    /// silence means the data stopped (see the class remarks for the hours). Always true in
    /// <see cref="MarketCalendarMode.Always"/>. Which real-time types carry trades is the caller's business.
    /// </summary>
    public bool ExpectsData(DateTimeOffset at, string code)
    {
        if (Mode == MarketCalendarMode.Always) return true;
        var (day, time) = Local(at);
        if (!IsTradingDay(day)) return false;
        var venue = VenueOf(code);
        var krx = venue != Venue.Nxt && time >= KrxOpen && time < KrxAuction;
        var nxt = venue != Venue.Krx && ((time >= NxtOpen && time < NxtPreMarketEnd)
                                         || (time >= NxtMainStart && time < NxtMainEnd)
                                         || (time >= NxtAfterMarketStart && time < NxtClose));
        return krx || nxt;
    }

    /// <summary>
    /// The first instant after <paramref name="at"/> at which <see cref="SessionAt"/> or <see cref="ExpectsData"/> of
    /// <paramref name="code"/> may change (a session boundary on a trading day), for scheduling the next check; null in
    /// <see cref="MarketCalendarMode.Always"/> (nothing ever changes) or past a year of closed days.
    /// </summary>
    public DateTimeOffset? NextChange(DateTimeOffset at, string code)
    {
        if (Mode == MarketCalendarMode.Always) return null;
        var changes = VenueOf(code) switch { Venue.Krx => KrxChanges, Venue.Nxt => NxtChanges, _ => AllChanges };
        var local = at.ToOffset(Kst);
        var day = DateOnly.FromDateTime(local.DateTime);
        for (var i = 0; i <= MaxClosedDays; i++, day = day.AddDays(1))
        {
            if (!IsTradingDay(day)) continue;
            var midnight = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), Kst);
            foreach (var change in changes)
                if (midnight + change > local) return (midnight + change).ToOffset(at.Offset);
        }
        return null;
    }

    private static MarketSession KrxSession(TimeSpan time) => time switch
    {
        _ when time < KrxPreOpen => MarketSession.Closed,
        _ when time < KrxOpen => MarketSession.PreOpen,
        _ when time < KrxAuction => MarketSession.Regular,
        _ when time < KrxClose => MarketSession.ClosingAuction,
        _ when time < KrxAfterHours => MarketSession.Closed,
        _ when time < KrxAfterHoursEnd => MarketSession.AfterHours,
        _ => MarketSession.Closed,
    };

    private static (DateOnly Day, TimeSpan Time) Local(DateTimeOffset at)
    {
        var local = at.ToOffset(Kst).DateTime;
        return (DateOnly.FromDateTime(local), local.TimeOfDay);
    }

    private enum Venue { Krx, Nxt, Both }

    private static Venue VenueOf(string code) =>
        code.EndsWith("_NX", StringComparison.Ordinal) ? Venue.Nxt
        : code.EndsWith("_AL", StringComparison.Ordinal) ? Venue.Both
        : Venue.Krx;
}
