namespace ActorFeed.Tests.Subscriptions;

/// <summary>Per-code staleness alone, on explicit millisecond times.</summary>
public sealed class PaceTrackerSpec
{
    private static readonly TimeSpan Floor = TimeSpan.FromSeconds(5);

    /// <summary>Ticks every <paramref name="everyMs"/> from <paramref name="startMs"/>, <paramref name="count"/> times; returns the last tick's time.</summary>
    private static long Ticks(PaceTracker pace, long startMs, long everyMs, int count)
    {
        var t = startMs;
        for (var i = 0; i < count; i++, t += everyMs) pace.OnTick(t);
        return t - everyMs;
    }

    [Fact]
    public void Pace_must_call_a_code_that_ticked_ten_times_a_second_and_stopped_stale_after_the_floor()
    {
        var pace = new PaceTracker(Floor);
        var last = Ticks(pace, 1_000, 100, 50);
        Assert.Equal((long)Floor.TotalMilliseconds, pace.StaleAfterMs);
        Assert.False(pace.IsStale(last + 5_000));             // nothing just before
        Assert.True(pace.IsStale(last + 5_001));              // stale right after
    }

    [Fact]
    public void Pace_must_not_call_a_code_that_trades_once_a_minute_stale_after_20_s()
    {
        var pace = new PaceTracker(Floor);
        var last = Ticks(pace, 0, 60_000, 10);
        Assert.False(pace.IsStale(last + 20_000));
        Assert.False(pace.IsStale(last + 5 * 60_000));        // 5 x its usual silence: still normal
        Assert.True(pace.IsStale(last + 5 * 60_000 + 1));
    }

    [Fact]
    public void Pace_must_not_judge_before_it_learned_enough_gaps()
    {
        var pace = new PaceTracker(Floor);
        Assert.False(pace.IsStale(1_000_000));                // never ticked
        Assert.Null(pace.LastTickMs);
        Ticks(pace, 0, 100, PaceTracker.MinGaps);             // MinGaps ticks = MinGaps - 1 gaps
        Assert.Null(pace.StaleAfterMs);
        Assert.False(pace.IsStale(1_000_000));
        pace.OnTick(PaceTracker.MinGaps * 100);               // the MinGaps-th gap
        Assert.NotNull(pace.StaleAfterMs);
        Assert.True(pace.IsStale(1_000_000));
    }

    [Fact]
    public void Pace_must_take_the_entries_of_one_frame_as_one_arrival()
    {
        var pace = new PaceTracker(TimeSpan.Zero, factor: 2);
        // a frame of 10 entries every 2 s: the gaps are 2 s, not zeros inside the frames
        for (long t = 0; t <= 20_000; t += 2_000)
            for (var entry = 0; entry < 10; entry++) pace.OnTick(t);
        Assert.Equal(2_000, pace.UsualSilenceMs);
        Assert.False(pace.IsStale(20_000 + 4_000));
        Assert.True(pace.IsStale(20_000 + 4_001));
    }

    [Fact]
    public void Pace_must_judge_a_bursty_code_by_the_pauses_between_its_bursts()
    {
        var pace = new PaceTracker(Floor);
        // bursts of three ticks 10 ms apart, every 30 s
        long t = 0;
        for (var burst = 0; burst < 8; burst++, t += 30_000)
            for (var i = 0; i < 3; i++) pace.OnTick(t + i * 10);
        var last = t - 30_000 + 20;
        Assert.False(pace.IsStale(last + 60_000));            // between two bursts, and one missed burst, is normal
        Assert.True(pace.IsStale(last + 5 * (30_000 - 20) + 1));
    }

    [Fact]
    public void Pace_must_not_be_moved_by_one_long_pause()
    {
        var pace = new PaceTracker(Floor);
        var last = Ticks(pace, 0, 1_000, 10);                 // once a second
        pace.OnTick(last + 600_000);                          // a 10-minute halt (e.g. a volatility interruption)
        last = Ticks(pace, last + 601_000, 1_000, 3);
        Assert.Equal(1_000, pace.UsualSilenceMs);             // the halt is the longest gap: not counted
        Assert.True(pace.IsStale(last + 5_001));
    }

    [Fact]
    public void Pace_must_follow_a_code_whose_pace_changed()
    {
        var pace = new PaceTracker(Floor);
        var last = Ticks(pace, 0, 100, 20);                   // liquid
        last = Ticks(pace, last + 10_000, 10_000, PaceTracker.Window);   // then once every 10 s for a whole window
        Assert.Equal(10_000, pace.UsualSilenceMs);
        Assert.False(pace.IsStale(last + 30_000));
        Assert.True(pace.IsStale(last + 50_001));
    }

    [Fact]
    public void Pace_must_measure_silence_from_a_restart_and_not_learn_the_outage()
    {
        var pace = new PaceTracker(Floor);
        var last = Ticks(pace, 0, 100, 20);
        Assert.True(pace.IsStale(last + 60_000));             // the link was down for a minute
        pace.Restart(last + 60_000);                          // confirmed again
        Assert.Equal(last + 60_000, pace.LastTickMs);
        Assert.False(pace.IsStale(last + 60_000 + 5_000));
        Assert.True(pace.IsStale(last + 60_000 + 5_001));
        pace.OnTick(last + 70_000);                           // the first tick after: the 10 s since the restart teach nothing
        last = Ticks(pace, last + 70_100, 100, 5);
        pace.Restart(last + 60_000);                          // a second outage, the same
        pace.OnTick(last + 70_000);
        Ticks(pace, last + 70_100, 100, 5);
        Assert.Equal(100, pace.UsualSilenceMs);               // two learned 10 s gaps would make it 10 s
    }

    [Fact]
    public void Pace_must_refuse_a_factor_below_one_and_a_negative_floor()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PaceTracker(Floor, factor: 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PaceTracker(TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task Pace_must_answer_a_reader_while_the_single_writer_ticks()
    {
        var pace = new PaceTracker(Floor);
        const int N = 200_000;
        var writer = Task.Run(() => { for (long t = 1; t <= N; t++) pace.OnTick(t * 10); });
        while (!writer.IsCompleted)
        {
            // every gap is 10 ms: whatever window the reader sees, the usual silence is 10 ms (or not learned yet)
            if (pace.UsualSilenceMs is { } usual) Assert.Equal(10, usual);
            Assert.False(pace.IsStale(0));
        }
        await writer;
        Assert.Equal(N * 10L, pace.LastTickMs);
    }

    [Fact]
    public void Pace_must_not_learn_a_gap_across_a_closed_period()
    {
        var pace = new PaceTracker(Floor);
        var t = 0L;
        for (var i = 0; i < 8; i++, t += 1_000) pace.OnTick(t);              // a tick a second
        for (var night = 0; night < 2; night++)                             // two nights within the learned window:
        {                                                                   // one long pause alone is ignored anyway
            t += 17L * 60 * 60 * 1000;
            for (var i = 0; i < 3; i++, t += 1_000) pace.OnTick(t);
        }
        Assert.Equal(1_000, pace.UsualSilenceMs);                           // the nights taught nothing
    }
}
