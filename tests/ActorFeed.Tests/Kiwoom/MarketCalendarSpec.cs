namespace ActorFeed.Tests.Kiwoom;

/// <summary>The market calendar alone: KRX and Nextrade sessions in KST, weekends, holidays, <c>always</c>.</summary>
public sealed class MarketCalendarSpec
{
    // 2026-03-02 is a Monday; 2026-03-07 / 08 the weekend after it.
    private static readonly DateOnly Monday = new(2026, 3, 2);

    /// <summary>A KST wall-clock time on <paramref name="day"/> (default: <see cref="Monday"/>).</summary>
    private static DateTimeOffset Kst(string hhmmss, DateOnly? day = null) =>
        new((day ?? Monday).ToDateTime(TimeOnly.ParseExact(hhmmss, "HH:mm:ss")), MarketCalendar.Kst);

    private static readonly MarketCalendar Calendar = MarketCalendar.Krx;

    [Theory]
    [InlineData("00:00:00", "Closed", false)]
    [InlineData("08:29:59", "Closed", false)]
    [InlineData("08:30:00", "PreOpen", false)]
    [InlineData("08:59:59", "PreOpen", false)]
    [InlineData("09:00:00", "Regular", true)]
    [InlineData("12:00:00", "Regular", true)]
    [InlineData("15:19:59", "Regular", true)]
    [InlineData("15:20:00", "ClosingAuction", false)]
    [InlineData("15:29:59", "ClosingAuction", false)]
    [InlineData("15:30:00", "Closed", false)]
    [InlineData("15:39:59", "Closed", false)]
    [InlineData("15:40:00", "AfterHours", false)]
    [InlineData("17:59:59", "AfterHours", false)]
    [InlineData("18:00:00", "Closed", false)]
    [InlineData("23:59:59", "Closed", false)]
    public void Calendar_must_place_a_KRX_code_in_its_session_at_the_KST_edges(string time, string sessionName, bool expectsData)
    {
        var session = Enum.Parse<MarketSession>(sessionName);
        Assert.Equal(session, Calendar.SessionAt(Kst(time), "005930"));
        Assert.Equal(expectsData, Calendar.ExpectsData(Kst(time), "005930"));
        Assert.Equal(session, Calendar.SessionAt(Kst(time), "001"));          // a sector code follows KRX
        Assert.Equal(expectsData, Calendar.ExpectsData(Kst(time), "001"));
    }

    [Theory]
    [InlineData("07:59:59", "Closed", false)]
    [InlineData("08:00:00", "Nxt", true)]
    [InlineData("08:49:59", "Nxt", true)]
    [InlineData("08:50:00", "Nxt", false)]                        // Nextrade pauses for the KRX opening auction
    [InlineData("09:00:29", "Nxt", false)]
    [InlineData("09:00:30", "Nxt", true)]
    [InlineData("15:19:59", "Nxt", true)]
    [InlineData("15:20:00", "Nxt", false)]                        // ... and for the KRX closing auction
    [InlineData("15:29:59", "Nxt", false)]
    [InlineData("15:30:00", "Nxt", true)]
    [InlineData("19:59:59", "Nxt", true)]
    [InlineData("20:00:00", "Closed", false)]
    public void Calendar_must_place_a_Nextrade_code_in_its_session_at_the_KST_edges(string time, string sessionName, bool expectsData)
    {
        var session = Enum.Parse<MarketSession>(sessionName);
        Assert.Equal(session, Calendar.SessionAt(Kst(time), "005930_NX"));
        Assert.Equal(expectsData, Calendar.ExpectsData(Kst(time), "005930_NX"));
    }

    [Theory]
    [InlineData("07:59:59", "Closed", false)]
    [InlineData("08:00:00", "Nxt", true)]                         // Nextrade alone
    [InlineData("08:30:00", "PreOpen", true)]                     // KRX's session, Nextrade still trading
    [InlineData("08:50:00", "PreOpen", false)]                    // neither trades continuously
    [InlineData("09:00:00", "Regular", true)]
    [InlineData("15:20:00", "ClosingAuction", false)]
    [InlineData("15:30:00", "Nxt", true)]                         // KRX closed, Nextrade after-market
    [InlineData("15:40:00", "AfterHours", true)]
    [InlineData("18:00:00", "Nxt", true)]
    [InlineData("20:00:00", "Closed", false)]
    public void Calendar_must_treat_a_smart_routing_code_as_open_when_either_venue_is(string time, string sessionName, bool expectsData)
    {
        var session = Enum.Parse<MarketSession>(sessionName);
        Assert.Equal(session, Calendar.SessionAt(Kst(time), "005930_AL"));
        Assert.Equal(expectsData, Calendar.ExpectsData(Kst(time), "005930_AL"));
    }

    [Fact]
    public void Calendar_must_close_weekends_for_both_venues()
    {
        foreach (var day in new[] { new DateOnly(2026, 3, 7), new DateOnly(2026, 3, 8) })
        foreach (var code in new[] { "005930", "005930_NX", "005930_AL", "001" })
        {
            Assert.Equal(MarketSession.Closed, Calendar.SessionAt(Kst("10:00:00", day), code));
            Assert.False(Calendar.ExpectsData(Kst("10:00:00", day), code));
        }
        Assert.Equal(MarketSession.Regular, Calendar.SessionAt(Kst("10:00:00", new DateOnly(2026, 3, 6)), "005930"));   // Friday
    }

    [Fact]
    public void Calendar_must_close_configured_holidays_for_both_venues_and_only_those_days()
    {
        Assert.True(MarketCalendar.TryParseHoliday("2026-03-02", out var holiday));
        var calendar = new MarketCalendar(MarketCalendarMode.Krx, [holiday]);
        foreach (var code in new[] { "005930", "005930_NX", "005930_AL" })
        {
            Assert.Equal(MarketSession.Closed, calendar.SessionAt(Kst("10:00:00"), code));
            Assert.False(calendar.ExpectsData(Kst("10:00:00"), code));
            Assert.True(calendar.ExpectsData(Kst("10:00:00", Monday.AddDays(1)), code));
        }
        Assert.False(calendar.IsTradingDay(Monday));
        Assert.True(calendar.IsTradingDay(Monday.AddDays(1)));
    }

    [Theory]
    [InlineData("2026-03-02", true)]
    [InlineData("2026-3-2", false)]
    [InlineData("2026/03/02", false)]
    [InlineData("2026-02-30", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Calendar_must_read_holidays_as_yyyy_MM_dd_only(string? text, bool valid) =>
        Assert.Equal(valid, MarketCalendar.TryParseHoliday(text, out _));

    [Theory]
    [InlineData("krx", "Krx", true)]
    [InlineData("KRX", "Krx", true)]
    [InlineData("always", "Always", true)]
    [InlineData("nyse", "Krx", false)]
    [InlineData(null, "Krx", false)]
    public void Calendar_must_read_its_mode(string? text, string modeName, bool valid)
    {
        var mode = Enum.Parse<MarketCalendarMode>(modeName);
        Assert.Equal(valid, MarketCalendar.TryParseMode(text, out var parsed));
        if (valid) Assert.Equal(mode, parsed);
    }

    [Fact]
    public void Calendar_must_read_a_UTC_instant_on_the_KST_day_it_falls_on()
    {
        // Friday 2026-03-06 15:00 UTC is Saturday 00:00 KST; Sunday 2026-03-08 23:59:59 UTC is Monday 08:59:59 KST.
        Assert.Equal(MarketSession.Closed, Calendar.SessionAt(new DateTimeOffset(2026, 3, 6, 15, 0, 0, TimeSpan.Zero), "005930_NX"));
        var mondayPreOpen = new DateTimeOffset(2026, 3, 8, 23, 59, 59, TimeSpan.Zero);
        Assert.Equal(MarketSession.PreOpen, Calendar.SessionAt(mondayPreOpen, "005930"));
        Assert.True(Calendar.ExpectsData(mondayPreOpen.AddSeconds(1), "005930"));     // Monday 09:00 KST
        // Monday 00:00 UTC is 09:00 KST, regular; Monday 06:20 UTC is 15:20 KST, the closing auction.
        Assert.Equal(MarketSession.Regular, Calendar.SessionAt(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), "005930"));
        Assert.Equal(MarketSession.ClosingAuction, Calendar.SessionAt(new DateTimeOffset(2026, 3, 2, 6, 20, 0, TimeSpan.Zero), "005930"));
        // a holiday is a KST day: Tuesday 2026-03-03 KST begins at Monday 15:00 UTC
        var calendar = new MarketCalendar(MarketCalendarMode.Krx, [new DateOnly(2026, 3, 3)]);
        Assert.Equal(MarketSession.Nxt, calendar.SessionAt(new DateTimeOffset(2026, 3, 2, 10, 59, 59, TimeSpan.Zero), "005930_NX"));    // Mon 19:59:59 KST
        Assert.Equal(MarketSession.Closed, calendar.SessionAt(new DateTimeOffset(2026, 3, 2, 23, 30, 0, TimeSpan.Zero), "005930_NX"));  // Tue 08:30 KST
    }

    [Fact]
    public void Calendar_must_name_the_next_session_boundary()
    {
        Assert.Equal(Kst("08:30:00"), Calendar.NextChange(Kst("00:00:00"), "005930"));
        Assert.Equal(Kst("09:00:00"), Calendar.NextChange(Kst("08:30:00"), "005930"));       // strictly after
        Assert.Equal(Kst("15:20:00"), Calendar.NextChange(Kst("09:00:00"), "005930"));
        Assert.Equal(Kst("15:30:00"), Calendar.NextChange(Kst("15:20:00"), "005930"));
        Assert.Equal(Kst("15:40:00"), Calendar.NextChange(Kst("15:30:00"), "005930"));
        Assert.Equal(Kst("18:00:00"), Calendar.NextChange(Kst("15:40:00"), "005930"));
        Assert.Equal(Kst("08:30:00", Monday.AddDays(1)), Calendar.NextChange(Kst("18:00:00"), "005930"));
        Assert.Equal(Kst("08:00:00"), Calendar.NextChange(Kst("07:00:00"), "005930_NX"));
        Assert.Equal(Kst("08:50:00"), Calendar.NextChange(Kst("08:30:00"), "005930_NX"));
        Assert.Equal(Kst("09:00:30"), Calendar.NextChange(Kst("09:00:00"), "005930_NX"));
        Assert.Equal(Kst("20:00:00"), Calendar.NextChange(Kst("18:00:00"), "005930_NX"));
        Assert.Equal(Kst("08:30:00"), Calendar.NextChange(Kst("08:00:00"), "005930_AL"));
        // Friday evening: across the weekend and a Monday holiday to Tuesday
        var calendar = new MarketCalendar(MarketCalendarMode.Krx, [Monday.AddDays(7)]);
        Assert.Equal(Kst("08:00:00", Monday.AddDays(8)), calendar.NextChange(Kst("20:00:00", Monday.AddDays(4)), "005930_NX"));
        // the answer keeps the offset it was asked in
        Assert.Equal(TimeSpan.Zero, Calendar.NextChange(new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero), "005930")!.Value.Offset);
    }

    [Fact]
    public void Calendar_must_be_always_open_in_always_mode()
    {
        var always = MarketCalendar.AlwaysOpen;
        foreach (var at in new[] { Kst("03:00:00"), Kst("12:00:00", new DateOnly(2026, 3, 7)), Kst("23:59:59") })
        {
            Assert.Equal(MarketSession.Regular, always.SessionAt(at, "005930"));
            Assert.Equal(MarketSession.Nxt, always.SessionAt(at, "005930_NX"));
            Assert.True(always.ExpectsData(at, "005930"));
            Assert.True(always.ExpectsData(at, "005930_NX"));
            Assert.Null(always.NextChange(at, "005930"));
        }
        var withHoliday = new MarketCalendar(MarketCalendarMode.Always, [Monday]);
        Assert.True(withHoliday.ExpectsData(Kst("12:00:00"), "005930"));                   // always means always
    }
}
