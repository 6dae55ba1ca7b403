namespace ActorFeed.Tests.Supervision;

/// <summary>The flap detector alone: drops counted in a sliding window, flapping from the threshold-th drop until the
/// count falls below the threshold, checked on both sides of each boundary.</summary>
public sealed class FlapDetectorSpec
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Flap_detector_must_count_drops_in_the_window_and_flap_from_the_threshold_th_drop_until_the_oldest_leaves()
    {
        var flaps = new FlapDetector(3, Window);
        Assert.Equal(0, flaps.RecentDrops(T0));
        flaps.Drop(T0);
        flaps.Drop(T0 + TimeSpan.FromSeconds(10));
        Assert.Equal(2, flaps.RecentDrops(T0 + TimeSpan.FromSeconds(15)));
        Assert.Null(flaps.FlappingSince(T0 + TimeSpan.FromSeconds(15)));       // two drops are not flapping yet
        flaps.Drop(T0 + TimeSpan.FromSeconds(20));
        Assert.Equal(T0 + TimeSpan.FromSeconds(20), flaps.FlappingSince(T0 + TimeSpan.FromSeconds(20)));
        Assert.Equal(3, flaps.RecentDrops(T0 + Window - Ms));
        Assert.Equal(T0 + TimeSpan.FromSeconds(20), flaps.FlappingSince(T0 + Window - Ms));   // 1 ms before the first drop leaves
        Assert.Null(flaps.FlappingSince(T0 + Window));                          // it left: two in the window
        Assert.Equal(2, flaps.RecentDrops(T0 + Window));
        Assert.Equal(0, flaps.RecentDrops(T0 + TimeSpan.FromSeconds(20) + Window));
    }

    [Fact]
    public void Flap_detector_must_keep_the_start_while_drops_keep_coming_and_start_again_after_a_pause()
    {
        var flaps = new FlapDetector(3, Window);
        static DateTimeOffset At(double minutes) => T0 + TimeSpan.FromMinutes(minutes);
        for (var i = 0; i < 10; i++) flaps.Drop(At(i * 1.5));               // 0:00 to 13:30, one every 90 s: never fewer than 3 in 5 minutes
        Assert.Equal(At(3), flaps.FlappingSince(At(13.5)));                  // since the third drop, without a pause
        // the last three were at 10:30, 12:00, 13:30: the flapping ends when 10:30 leaves the window, at 15:30
        Assert.Equal(At(3), flaps.FlappingSince(At(15.5) - Ms));
        Assert.Null(flaps.FlappingSince(At(15.5)));
        // the next drop (16:00) finds 12:00 and 13:30 in the window: flapping again, as a new episode
        flaps.Drop(At(16));
        Assert.Equal(At(16), flaps.FlappingSince(At(16)));
    }

    [Fact]
    public void Flap_detector_must_notice_a_pause_it_was_not_asked_about()
    {
        var flaps = new FlapDetector(2, Window);
        flaps.Drop(T0);
        flaps.Drop(T0 + TimeSpan.FromMinutes(1));
        Assert.Equal(T0 + TimeSpan.FromMinutes(1), flaps.FlappingSince(T0 + TimeSpan.FromMinutes(1)));
        // nobody asks while the flapping lapses (at 5:00, when the drop at 0:00 leaves); the drop at 5:30 starts a new one
        flaps.Drop(T0 + TimeSpan.FromMinutes(5.5));
        Assert.Equal(T0 + TimeSpan.FromMinutes(5.5), flaps.FlappingSince(T0 + TimeSpan.FromMinutes(5.5)));   // 1:00 and 5:30 are both in
        var pausing = new FlapDetector(2, Window);
        pausing.Drop(T0);
        pausing.Drop(T0 + TimeSpan.FromMinutes(1));
        pausing.Drop(T0 + TimeSpan.FromMinutes(6.5));                            // 1:00 left at 6:00: a pause before this one
        Assert.Null(pausing.FlappingSince(T0 + TimeSpan.FromMinutes(6.5)));
        pausing.Drop(T0 + TimeSpan.FromMinutes(7));
        Assert.Equal(T0 + TimeSpan.FromMinutes(7), pausing.FlappingSince(T0 + TimeSpan.FromMinutes(7)));
    }
}
