using ActorFeed.Messages;

namespace ActorFeed.Tests.Subscriptions;

/// <summary>The gap notice and its missed volume, from the last tick before and the first tick after.</summary>
public sealed class GapMeasureSpec
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 1, 0, 0, TimeSpan.Zero);

    private static Tick Trade(string? cumulative, string? volume, DateTimeOffset at, string type = "0B")
    {
        var values = new Dictionary<string, string> { ["10"] = "-20800" };
        if (cumulative is not null) values["13"] = cumulative;
        if (volume is not null) values["15"] = volume;
        return new Tick("005930", type, "주식체결", values, at);
    }

    [Fact]
    public void Gap_must_carry_the_volume_traded_between_the_last_tick_before_and_the_first_after()
    {
        var before = Trade("30379732", "+82", T0);
        var after = Trade("30380532", "-300", T0.AddSeconds(7));     // a sell: |15|
        var gap = GapMeasure.Between(before, after, T0.AddSeconds(-30), "server closed the connection");
        Assert.Equal(new SubscriptionGap("005930", "0B", T0, T0.AddSeconds(7), "server closed the connection", 500), gap);
        Assert.Equal(0, GapMeasure.MissedVolume(before, Trade("30379832", "+100", T0.AddSeconds(1))));   // nothing missed
    }

    [Fact]
    public void Gap_must_start_at_the_confirmation_when_no_tick_came_before_and_then_not_know_the_volume()
    {
        var gap = GapMeasure.Between(null, Trade("1000", "+10", T0), T0.AddSeconds(-5), "no data");
        Assert.Equal(T0.AddSeconds(-5), gap.From);
        Assert.Equal(T0, gap.To);
        Assert.Null(gap.MissedVolume);
    }

    [Fact]
    public void Gap_must_not_know_the_volume_of_another_type_a_missing_field_or_a_new_trading_day()
    {
        var before = Trade("5000", "+10", T0);
        Assert.Null(GapMeasure.Between(Trade("5000", "+10", T0, "0D"), Trade("6000", "+10", T0.AddSeconds(1), "0D"), T0, "no data").MissedVolume);
        Assert.Null(GapMeasure.MissedVolume(before, Trade(null, "+10", T0.AddSeconds(1))));
        Assert.Null(GapMeasure.MissedVolume(before, Trade("6000", null, T0.AddSeconds(1))));
        Assert.Null(GapMeasure.MissedVolume(Trade(null, "+10", T0), Trade("6000", "+10", T0.AddSeconds(1))));
        Assert.Null(GapMeasure.MissedVolume(Trade("not a number", "+10", T0), Trade("6000", "+10", T0.AddSeconds(1))));
        Assert.Null(GapMeasure.MissedVolume(before, Trade("120", "+20", T0.AddHours(20))));   // field 13 restarted the next day
    }

    [Fact]
    public void Gap_must_not_know_the_volume_when_the_wire_sends_nonsense_numbers()
    {
        Assert.Null(GapMeasure.MissedVolume(100, 500, long.MinValue));      // |long.MinValue| does not exist: no overflow
        Assert.Null(GapMeasure.MissedVolume(-5, 500, 10));
        Assert.Equal(390, GapMeasure.MissedVolume(100, 500, -10));
    }
}
