using Akka.Actor;
using Akka.TestKit;
using ActorFeed.Messages;
using ActorFeed.Simulator;
using Xunit.Abstractions;

namespace ActorFeed.IntegrationTests;

/// <summary>
/// Gap notices against the simulator: after the server closes every session (a close frame, so the client read every
/// trade the old session wrote), each subscriber of each pair gets exactly one <see cref="SubscriptionGap"/>, right
/// before the first tick after the reconnection, whose MissedVolume is what the simulator's record says the old session
/// missed until the new one.
/// </summary>
public sealed class GapSpec(ITestOutputHelper output) : IntegrationSpec(output)
{
    private static readonly string[] TwoCodes = ["005930", "000660"];

    [Fact]
    public async Task Gap_must_reach_each_subscriber_once_after_a_drop_with_the_volume_the_simulator_recorded_as_missed()
    {
        var feed = StartFeed();
        ExpectState(FeedState.Connected);
        var a = CreateTestProbe("a");                      // both codes
        var b = CreateTestProbe("b");                      // 005930 only: two subscribers on one code
        foreach (var code in TwoCodes) feed.Tell(new Subscribe(code, "0B", a));
        feed.Tell(new Subscribe("005930", "0B", b));
        var lastTicks = new Dictionary<TestProbe, Dictionary<string, Tick>> { [a] = [], [b] = [] };
        foreach (var (probe, codes) in new[] { (a, TwoCodes), (b, ["005930"]) })
            while (!codes.All(lastTicks[probe].ContainsKey))                 // every code ticked (the last tick kept)
                if ((probe.ReceiveOne(Wait) ?? throw new TimeoutException("not every code ticked")) is Tick t) lastTicks[probe][t.Code] = t;
        var oldSession = Sim.Record.Read(r => r.Sessions.Single().Id);

        Assert.Equal(1, Sim.DropAllSessions(DropMode.NormalClosure));
        Assert.Equal(FeedFailureException.Causes.ServerClosed, ExpectDecision(FeedComponent.Connection).Cause);

        var gaps = new List<(TestProbe Probe, SubscriptionGap Gap)>();
        foreach (var (probe, codes) in new[] { (a, TwoCodes), (b, ["005930"]) })
        {
            var pending = codes.ToHashSet();                       // codes whose gap and first tick after have not come yet
            var lastBefore = lastTicks[probe];
            var announced = new Dictionary<string, SubscriptionGap>();
            // every message until each code's first tick after: ticks of the old session, the gap, then that tick
            while (pending.Count > 0)
            {
                var m = probe.ReceiveOne(Wait) ?? throw new TimeoutException($"{probe.Ref.Path.Name}: no gap and tick after for {string.Join(",", pending)}");
                if (m is SubscriptionGap g)
                {
                    Assert.True(announced.TryAdd(g.Code, g), $"{probe.Ref.Path.Name}: a second gap for {g.Code}");
                    continue;
                }
                if (m is not Tick tick) continue;
                if (!announced.TryGetValue(tick.Code, out var gap))
                {
                    lastBefore[tick.Code] = tick;
                    continue;
                }
                if (!pending.Remove(tick.Code)) continue;
                Assert.Equal(lastBefore[gap.Code].ReceivedAt, gap.From);
                Assert.Equal(tick.ReceivedAt, gap.To);                                     // the gap came right before it
                Assert.Equal("0B", gap.Type);
                Assert.Equal(FeedFailureException.Causes.ServerClosed, gap.Cause);
                Assert.Equal(tick.CumulativeVolume - Math.Abs(tick.TradeVolume!.Value) - lastBefore[gap.Code].CumulativeVolume, gap.MissedVolume);
                gaps.Add((probe, gap));
            }
        }

        var newSession = Sim.Record.Read(r => r.Sessions.Last(s => s.Registered.Count > 0).Id);
        Assert.NotEqual(oldSession, newSession);
        // the server records a frame once its send completed, which can be just after the client read it
        await Sim.Record.WaitUntilAsync(r => TwoCodes.All(c => r.Sessions.Single(s => s.Id == newSession).TradeRuns.ContainsKey(c)), Wait, "the new session's first trades recorded");
        Assert.Equal(3, gaps.Count);
        foreach (var (_, gap) in gaps)
        {
            Assert.NotNull(gap.MissedVolume);
            Assert.Equal(Sim.Record.MissedVolume(gap.Code, oldSession, newSession), gap.MissedVolume);
        }
        Assert.Equal(gaps.Single(g => g.Probe == a && g.Gap.Code == "005930").Gap, gaps.Single(g => g.Probe == b).Gap);

        // exactly one each: more ticks, no second gap
        foreach (var (probe, codes) in new[] { (a, TwoCodes), (b, ["005930"]) })
        foreach (var code in codes)
            for (var n = 0; n < 3; n++)
                Assert.IsNotType<SubscriptionGap>(probe.FishForMessage(m => m is Tick t && t.Code == code || m is SubscriptionGap, Wait));
    }
}
