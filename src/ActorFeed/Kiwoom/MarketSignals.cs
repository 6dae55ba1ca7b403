using System.Globalization;
using ActorFeed.Messages;

namespace ActorFeed.Kiwoom;

/// <summary>
/// The <see cref="MarketCalendar"/> refined by what the server says: 0s (장시작시간) session pushes can tell that KRX
/// is not in continuous trading when the clock says it is (a late opening such as the first trading day of the year or
/// the college entrance exam day, opening at 10:00; an early close; a halt). One instance per feed, created once by the
/// FeedSupervisor and shared with every incarnation of its connection: the connection's receive loop writes it (on the
/// socket's thread), the data watchdog and the staleness check read it (on actor threads).
/// <para>
/// A push can only NARROW when data is expected, never widen it beyond the calendar, so that a missed or wrong push
/// never causes a restart. FID 215 (장운영구분) of a 0s entry: <c>3</c> (장시작, continuous trading started) clears
/// the narrowing; <c>0</c> (before the open), <c>2</c> (closing auction), <c>4</c> / <c>8</c> (closed), <c>9</c> (end of
/// day) and <c>a</c>-<c>d</c> (after-hours sessions) mean KRX does not expect data (and KRX codes are not stale) until a
/// <c>3</c> push or the end of that KST day. Also cleared: a 0B trade of a KRX code arriving while the calendar expects
/// KRX data, since a trade proves the market is open (so a <c>3</c> push missed during a disconnect does not keep KRX
/// narrowed for the rest of the day, as long as a KRX code trades). And cleared on every new connection
/// (<see cref="NewConnection"/>): a <c>3</c> push sent while the link was down is lost for good, so a narrowing learned on
/// an earlier connection is not trusted on the next one, and a missed open push cannot switch the watchdog off for the
/// day. 0s pushes are transitions: nothing sends the state again, so a narrowing dropped this way is not learned back on
/// the new connection until the next transition. The cost: on a late-opening day, a reconnection before the open makes
/// the calendar apply again and KRX codes show stale until the open (Degraded), but nothing restarts, since the data
/// watchdog needs a REAL on the new link first. Only a KRX trade proves the open: other market data (the pre-open order
/// book 0D flows before a late open) never clears a narrowing.
/// </para>
/// <para>
/// This table of FID 215 values is Kiwoom's field table (the same as OpenAPI+); it is NOT in the protocol notes. Any
/// other value, a missing FID 215, and pushes for a Nextrade item (<c>_NX</c>, which may be about Nextrade's session)
/// are ignored: they never change what the calendar says and never fail. Nextrade codes keep the clock (the pushes are
/// about KRX); <c>_AL</c> codes follow the KRX part while the calendar expects KRX data, and the Nextrade clock
/// outside it. In <see cref="MarketCalendarMode.Always"/> pushes are ignored: data is always expected.
/// </para>
/// Thread-safe: the learned state is one immutable snapshot, read with a volatile read, written under a lock.
/// </summary>
internal sealed class MarketSignals(MarketCalendar calendar)
{
    /// <summary>The real-time type of session pushes.</summary>
    public const string SessionType = "0s";

    /// <summary>FID 215 장운영구분 (market operation state) of a 0s entry.</summary>
    public const string SessionStateFid = "215";

    /// <summary>FID 215 value: continuous trading started (장시작).</summary>
    public const string OpenValue = "3";

    /// <summary>FID 215 values that mean "not continuous trading": before the open, closing auction, closed, end of
    /// day, after-hours single-price / closing-price sessions start and end.</summary>
    public static readonly IReadOnlySet<string> NotTradingValues =
        new HashSet<string>(["0", "2", "4", "8", "9", "a", "b", "c", "d"], StringComparer.Ordinal);

    private readonly object _gate = new();
    private KrxClosure? _krxClosed;   // volatile reads; written under _gate

    /// <summary>The calendar being refined.</summary>
    public MarketCalendar Calendar { get; } = calendar;

    /// <summary>A 0s push (or its absence) in force: KRX is not in continuous trading on <see cref="KstDay"/>.</summary>
    /// <param name="KstDay">The KST calendar day of the push; the narrowing ends with it.</param>
    /// <param name="Value">The FID 215 value that closed it.</param>
    /// <param name="Since">When the push arrived.</param>
    internal sealed record KrxClosure(DateOnly KstDay, string Value, DateTimeOffset Since);

    /// <summary>The narrowing in force at <paramref name="at"/>, or null (the calendar alone decides).</summary>
    public KrxClosure? KrxClosedAt(DateTimeOffset at) =>
        Volatile.Read(ref _krxClosed) is { } closed && closed.KstDay == KstDay(at) ? closed : null;

    /// <summary>
    /// <see cref="MarketCalendar.ExpectsData"/>, narrowed by what the pushes taught: false for a KRX code, and for an
    /// <c>_AL</c> code while the calendar expects KRX data, when a push closed KRX today. Never true where the calendar
    /// says false.
    /// </summary>
    public bool ExpectsData(DateTimeOffset at, string code)
    {
        if (!Calendar.ExpectsData(at, code)) return false;
        if (Volatile.Read(ref _krxClosed) is null || IsNxt(code) || KrxClosedAt(at) is null) return true;
        return !Calendar.ExpectsData(at, KrxCode);
    }

    /// <summary>True when <see cref="Observe"/> may learn from <paramref name="tick"/>: a 0s entry, or a 0B trade while KRX
    /// is narrowed. One volatile read at most: the receive loop asks it for every entry before it reads the clock.</summary>
    public bool Concerns(Tick tick) =>
        tick.Type == SessionType || (tick.Type == RealTypes.StockTrade && Volatile.Read(ref _krxClosed) is not null);

    /// <summary>
    /// Learns from one REAL entry received at <paramref name="at"/>: only 0s entries and 0B trades of KRX codes matter
    /// (see <see cref="Concerns"/>). Returns a line to log when the learned state changed, else null. Never throws on
    /// what a server sends.
    /// </summary>
    public string? Observe(Tick tick, DateTimeOffset at)
    {
        if (tick.Type == RealTypes.StockTrade)
            return Volatile.Read(ref _krxClosed) is null ? null : OnTrade(tick.Code, at);
        if (tick.Type != SessionType || Calendar.Mode == MarketCalendarMode.Always || IsNxt(tick.Code)) return null;
        var value = tick[SessionStateFid];
        if (value is null) return null;
        if (value == OpenValue)
            return Clear(at, closed => $"KRX session: open by 0s push ({SessionStateFid}={OpenValue}); it had been closed by 0s push "
                                       + $"({SessionStateFid}={closed.Value}) since {Kst(closed.Since)}; the calendar applies again");
        if (!NotTradingValues.Contains(value)) return null;   // not in the table: ignored
        lock (_gate)
        {
            if (KrxClosedAt(at) is not null) return null;     // already closed today: nothing new
            var day = KstDay(at);
            Volatile.Write(ref _krxClosed, new KrxClosure(day, value, at));
            return $"KRX session: closed by 0s push ({SessionStateFid}={value}) until an open push or end of day "
                   + $"({day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} KST); KRX data is not expected meanwhile";
        }
    }

    /// <summary>
    /// A new connection logged in (called before it registers anything, so before any push of its own): a narrowing
    /// learned on an earlier connection is dropped, since the <c>3</c> push that would have ended it may have been sent
    /// while the link was down. It is not learned back: 0s pushes are transitions, the server does not send the state
    /// again, so until the next one (or a KRX trade) the calendar applies (on a late-opening day KRX codes show stale
    /// until the open; the data watchdog, which needs a REAL on the new link, restarts nothing). Returns a line to log
    /// when one in force today was dropped, else null.
    /// </summary>
    public string? NewConnection(DateTimeOffset at) =>
        Clear(at, closed => $"KRX session: the narrowing by 0s push ({SessionStateFid}={closed.Value}) since {Kst(closed.Since)} was learned "
                            + "on an earlier connection (an open push may have been missed meanwhile): dropped on the new connection; the calendar applies again");

    private string? OnTrade(string code, DateTimeOffset at)
    {
        if (code.Length == 0 || IsNxt(code) || code.EndsWith("_AL", StringComparison.Ordinal)) return null;
        if (KrxClosedAt(at) is null)
        {
            lock (_gate)
                if (Volatile.Read(ref _krxClosed) is { } stale && stale.KstDay != KstDay(at)) Volatile.Write(ref _krxClosed, null);   // expired: forget it
            return null;
        }
        if (!Calendar.ExpectsData(at, KrxCode)) return null;   // a single-price match, an after-hours trade: proves nothing
        var shown = code.Length <= 16 ? code : code[..16] + "...";   // a server's text, clipped like every other in the logs
        return Clear(at, closed => $"KRX session: open again: a KRX trade ({shown}) arrived during trading hours; it had been closed "
                                   + $"by 0s push ({SessionStateFid}={closed.Value}) since {Kst(closed.Since)}; the calendar applies again");
    }

    private string? Clear(DateTimeOffset at, Func<KrxClosure, string> line)
    {
        lock (_gate)
        {
            var closed = Volatile.Read(ref _krxClosed);
            if (closed is null) return null;
            Volatile.Write(ref _krxClosed, null);
            return closed.KstDay == KstDay(at) ? line(closed) : null;   // an expired one goes silently
        }
    }

    /// <summary>Any code without a venue suffix is KRX for the calendar.</summary>
    private const string KrxCode = "";

    private static bool IsNxt(string code) => code.EndsWith("_NX", StringComparison.Ordinal);

    private static DateOnly KstDay(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(MarketCalendar.Kst).DateTime);

    private static string Kst(DateTimeOffset at) => at.ToOffset(MarketCalendar.Kst).ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
