using Akka.Actor;
using Akka.TestKit;
using ActorFeed.Messages;
using ActorFeed.Supervision;

namespace ActorFeed.Testing;

/// <summary>
/// Waits on what a feed publishes on the EventStream. Subscribe the probe first with <see cref="WatchFeedEvents"/>.
/// Every wait is bounded and dilated by <c>akka.test.timefactor</c> (see <see cref="TestKitConfig"/>).
/// </summary>
public static class FeedProbes
{
    /// <summary>Subscribes <paramref name="probe"/> to <see cref="FeedStatusChanged"/>, <see cref="SupervisionDecision"/>
    /// and <see cref="SubscriptionRejected"/> on <paramref name="system"/>'s EventStream.</summary>
    public static TestProbe WatchFeedEvents(this TestProbe probe, ActorSystem system)
    {
        system.EventStream.Subscribe(probe, typeof(FeedStatusChanged));
        system.EventStream.Subscribe(probe, typeof(SupervisionDecision));
        system.EventStream.Subscribe(probe, typeof(SubscriptionRejected));
        return probe;
    }

    /// <summary>Skips events until a status with <paramref name="state"/> arrives, and returns it.</summary>
    public static FeedStatus ExpectState(this TestProbe probe, FeedState state, TimeSpan within)
    {
        FeedStatus? status = null;
        probe.FishForMessage(m => m is FeedStatusChanged c && (status = c.Status).State == state, within);
        return status!;
    }

    /// <summary>Skips events until a supervision decision about <paramref name="component"/> arrives, and returns it.</summary>
    public static SupervisionDecision ExpectDecision(this TestProbe probe, FeedComponent component, TimeSpan within) =>
        (SupervisionDecision)probe.FishForMessage(m => m is SupervisionDecision d && d.Component == component, within);

    /// <summary>Asserts that no supervision decision about <paramref name="component"/> arrives within
    /// <paramref name="within"/> (other events are skipped).</summary>
    public static void ExpectNoDecision(this TestProbe probe, FeedComponent component, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return;
            if (probe.TryReceiveOne(out var envelope, left) && envelope.Message is SupervisionDecision d && d.Component == component)
                Assert.Fail($"unexpected supervision decision: {d}");
        }
    }
}
