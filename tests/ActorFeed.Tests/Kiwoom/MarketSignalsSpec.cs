using ActorFeed.Messages;

namespace ActorFeed.Tests.Kiwoom;

/// <summary>
/// The calendar refined by 0s session pushes (FID 215): a push only narrows when data is expected, for KRX, until a
/// "3" push, a KRX trade in trading hours, or the end of that KST day. Nextrade codes keep the clock.
/// </summary>
public sealed class MarketSignalsSpec
{
    // 2026-03-02 is a Monday.
    private static readonly DateOnly Monday = new(2026, 3, 2);

    private static DateTimeOffset Kst(string hhmmss, DateOnly? day = null) =>
        new((day ?? Monday).ToDateTime(TimeOnly.ParseExact(hhmmss, "HH:mm:ss")), MarketCalendar.Kst);

    private static Tick Session(string value, string item = "005930") =>
        new(item, "0s", "장시작시간", new Dictionary<string, string> { ["215"] = value, ["20"] = "083000", ["214"] = "003000" }, DateTimeOffset.UnixEpoch);

    private static Tick Trade(string code) =>
        new(code, "0B", "주식체결", new Dictionary<string, string> { ["20"] = "100001", ["10"] = "-20800", ["15"] = "+1" }, DateTimeOffset.UnixEpoch);

    private static readonly string[] Codes = ["005930", "001", "005930_NX", "005930_AL"];

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    [InlineData("4")]
    [InlineData("8")]
    [InlineData("9")]
    [InlineData("a")]
    [InlineData("b")]
    [InlineData("c")]
    [InlineData("d")]
    public void Signals_must_take_KRX_out_of_continuous_trading_on_a_not_trading_push_until_an_open_push(string value)
    {
        var signals = new MarketSignals(MarketCalendar.Krx);
        var line = signals.Observe(Session(value), Kst("08:30:00"));
        Assert.Equal($"KRX session: closed by 0s push (215={value}) until an open push or end of day (2026-03-02 KST); KRX data is not expected meanwhile", line);
        Assert.Null(signals.Observe(Session(value), Kst("08:31:00")));                   // the same state again: nothing to log
        Assert.Null(signals.Observe(Session("0"), Kst("08:32:00")));

        Assert.False(signals.ExpectsData(Kst("09:00:00"), "005930"));                    // the calendar says open: narrowed
        Assert.False(signals.ExpectsData(Kst("09:59:59"), "001"));
        Assert.True(signals.ExpectsData(Kst("09:59:59"), "005930_NX"));                  // Nextrade keeps the clock

        var open = signals.Observe(Session("3"), Kst("10:00:00"));
        Assert.StartsWith($"KRX session: open by 0s push (215=3); it had been closed by 0s push (215={value}) since 08:30:00", open);
        Assert.True(signals.ExpectsData(Kst("10:00:00"), "005930"));
        Assert.Null(signals.Observe(Session("3"), Kst("10:00:01")));                     // already open
    }

    [Fact]
    public void Signals_must_never_widen_what_the_calendar_expects()
    {
        var signals = new MarketSignals(MarketCalendar.Krx);
        Assert.Null(signals.Observe(Session("3"), Kst("08:00:00")));                     // "open" at 08:00: the clock still says no
        foreach (var code in Codes)
        foreach (var time in new[] { "08:00:00", "08:30:00", "09:00:00", "12:00:00", "15:20:00", "16:00:00", "21:00:00" })
            Assert.Equal(MarketCalendar.Krx.ExpectsData(Kst(time), code), signals.ExpectsData(Kst(time), code));
        signals.Observe(Session("0"), Kst("08:00:00"));
        foreach (var code in Codes)
        foreach (var time in new[] { "07:00:00", "08:00:00", "09:00:00", "12:00:00", "15:20:00", "16:00:00", "21:00:00" })
            Assert.True(!signals.ExpectsData(Kst(time), code) || MarketCalendar.Krx.ExpectsData(Kst(time), code), $"{code} at {time}");
    }

    [Theory]
    [InlineData("1")]
    [InlineData("5")]
    [InlineData("A")]                                                                   // the table's letters are lower case
    [InlineData("e")]
    [InlineData("")]
    [InlineData(" 0")]
    [InlineData("03")]
    [InlineData("장마감")]
    public void Signals_must_ignore_a_value_that_is_not_in_the_table(string value)
    {
        var signals = new MarketSignals(MarketCalendar.Krx);
        Assert.Null(signals.Observe(Session(value), Kst("09:00:00")));
        Assert.True(signals.ExpectsData(Kst("09:00:00"), "005930"));
        signals.Observe(Session("0"), Kst("09:00:00"));
        Assert.Null(signals.Observe(Session(value), Kst("09:30:00")));                   // nor does it open a closed KRX
        Assert.False(signals.ExpectsData(Kst("09:30:00"), "005930"));
    }

    [Fact]
    public void Signals_must_ignore_a_0s_entry_without_FID_215_pushes_for_a_Nextrade_item_and_other_types()
    {
        var signals = new MarketSignals(MarketCalendar.Krx);
        var noState = new Tick("005930", "0s", "장시작시간", new Dictionary<string, string> { ["20"] = "090000" }, DateTimeOffset.UnixEpoch);
        Assert.Null(signals.Observe(noState, Kst("09:00:00")));
        Assert.Null(signals.Observe(Session("0", item: "005930_NX"), Kst("09:00:00")));   // may be about Nextrade's session
        var otherType = new Tick("005930", "0D", "주식호가잔량", new Dictionary<string, string> { ["215"] = "0" }, DateTimeOffset.UnixEpoch);
        Assert.Null(signals.Observe(otherType, Kst("09:00:00")));
        Assert.Null(signals.Observe(Trade("005930"), Kst("09:00:00")));                  // a trade while open: nothing to learn
        Assert.True(signals.ExpectsData(Kst("09:00:00"), "005930"));
    }

    [Fact]
    public void Signals_must_expire_a_narrowing_at_the_end_of_its_KST_day()
    {
        var signals = new MarketSignals(MarketCalendar.Krx);
        Assert.NotNull(signals.Observe(Session("4"), Kst("14:00:00")));                  // an early close on Monday
        Assert.False(signals.ExpectsData(Kst("15:19:59"), "005930"));
        Assert.NotNull(signals.KrxClosedAt(Kst("23:59:59")));
        var tuesday = Monday.AddDays(1);
        Assert.Null(signals.KrxClosedAt(Kst("00:00:00", tuesday)));
        Assert.True(signals.ExpectsData(Kst("09:00:00", tuesday), "005930"));
        // the day is the KST day: Monday 15:00 UTC is already Tuesday 00:00 KST
        Assert.Null(signals.KrxClosedAt(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero)));
        Assert.NotNull(signals.Observe(Session("0"), Kst("08:30:00", tuesday)));          // a new day, a new narrowing: logged again
    }

    [Fact]
    public void Signals_must_leave_Nextrade_codes_on_the_clock_and_narrow_smart_routing_codes_only_while_KRX_would_trade()
    {
        var signals = new MarketSignals(MarketCalendar.Krx);
        signals.Observe(Session("0"), Kst("08:00:00"));
        foreach (var time in new[] { "08:00:00", "08:49:59", "09:00:30", "12:00:00", "15:30:00", "19:59:59" })
            Assert.True(signals.ExpectsData(Kst(time), "005930_NX"), time);
        Assert.True(signals.ExpectsData(Kst("08:00:00"), "005930_AL"));                  // KRX would not trade yet: Nextrade's clock
        Assert.True(signals.ExpectsData(Kst("08:49:59"), "005930_AL"));
        Assert.False(signals.ExpectsData(Kst("09:00:30"), "005930_AL"));                 // KRX would trade: follows KRX
        Assert.False(signals.ExpectsData(Kst("15:19:59"), "005930_AL"));
        Assert.True(signals.ExpectsData(Kst("15:30:00"), "005930_AL"));                  // KRX done for the day: Nextrade's clock
        Assert.True(signals.ExpectsData(Kst("19:59:59"), "005930_AL"));
    }

    [Fact]
    public void Signals_must_clear_the_narrowing_when_a_KRX_trade_arrives_during_KRX_trading_hours_only()
    {
        var signals = new MarketSignals(MarketCalendar.Krx);
        Assert.False(signals.Concerns(Trade("005930")));                               // the receive loop skips trades while nothing is narrowed
        Assert.True(signals.Concerns(Session("3")));
        signals.Observe(Session("0"), Kst("08:30:00"));
        Assert.True(signals.Concerns(Trade("005930")));
        Assert.Null(signals.Observe(Trade("005930"), Kst("08:45:00")));                  // before the calendar's open: proves nothing
        Assert.Null(signals.Observe(Trade("005930_NX"), Kst("09:30:00")));               // a Nextrade trade says nothing about KRX
        Assert.Null(signals.Observe(Trade("005930_AL"), Kst("09:30:00")));               // nor may a smart-routed one
        Assert.False(signals.ExpectsData(Kst("09:30:00"), "005930"));

        var line = signals.Observe(Trade("005930"), Kst("09:30:00"));                    // the "3" push was missed: a trade proves it
        Assert.StartsWith("KRX session: open again: a KRX trade (005930) arrived during trading hours", line);
        Assert.True(signals.ExpectsData(Kst("09:30:00"), "005930"));
        Assert.False(signals.Concerns(Trade("005930")));

        signals.Observe(Session("2"), Kst("15:20:00"));                                  // the closing auction
        Assert.Null(signals.Observe(Trade("005930"), Kst("15:30:00")));                  // its single match proves no continuous trading
        Assert.NotNull(signals.KrxClosedAt(Kst("15:30:00")));
    }

    [Fact]
    public void Signals_must_drop_a_narrowing_learned_on_an_earlier_connection_when_a_new_connection_logs_in()
    {
        var signals = new MarketSignals(MarketCalendar.Krx);
        Assert.Null(signals.NewConnection(Kst("08:00:00")));                               // nothing learned: nothing to say
        signals.Observe(Session("0"), Kst("08:30:00"));
        Assert.False(signals.ExpectsData(Kst("09:30:00"), "005930"));

        var line = signals.NewConnection(Kst("09:30:00"));                                 // the "3" push may have come while the link was down
        Assert.Equal("KRX session: the narrowing by 0s push (215=0) since 08:30:00 was learned on an earlier connection (an open push may "
                     + "have been missed meanwhile): dropped on the new connection; the calendar applies again", line);
        Assert.True(signals.ExpectsData(Kst("09:30:00"), "005930"));
        Assert.Null(signals.KrxClosedAt(Kst("09:30:00")));
        Assert.Null(signals.NewConnection(Kst("09:31:00")));                               // once

        signals.Observe(Session("0"), Kst("09:32:00"));                                   // the new connection's own push narrows again
        Assert.False(signals.ExpectsData(Kst("09:40:00"), "005930"));
        Assert.Null(signals.NewConnection(Kst("09:00:00", Monday.AddDays(1))));           // expired at the end of its day: dropped silently
        Assert.Null(signals.KrxClosedAt(Kst("09:40:00")));
    }

    [Fact]
    public void Signals_must_ignore_pushes_in_always_mode()
    {
        var signals = new MarketSignals(MarketCalendar.AlwaysOpen);
        Assert.Null(signals.Observe(Session("0"), Kst("09:00:00")));
        Assert.True(signals.ExpectsData(Kst("09:00:00"), "005930"));
        Assert.Null(signals.KrxClosedAt(Kst("09:00:00")));
    }

    [Fact]
    public async Task Signals_must_give_readers_on_other_threads_a_whole_state()
    {
        var signals = new MarketSignals(MarketCalendar.Krx);
        var at = Kst("09:30:00");
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
                signals.Observe(Session(i % 2 == 0 ? "0" : "3"), at);
        });
        for (var i = 0; i < 100_000; i++)
        {
            signals.ExpectsData(at, "005930");                                           // never throws, never tears
            if (signals.KrxClosedAt(at) is { } closed) Assert.Equal("0", closed.Value);
        }
        await stop.CancelAsync();
        await writer;
        Assert.NotNull(signals.Observe(Session("0"), at) ?? signals.Observe(Session("3"), at));
    }
}
