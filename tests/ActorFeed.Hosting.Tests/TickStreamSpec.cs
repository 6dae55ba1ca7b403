using ActorFeed.Messages;

namespace ActorFeed.Hosting.Tests;

/// <summary>The <see cref="TickStream"/> settles and ends on every path: codes listed twice, every pair rejected, the feed stopping.</summary>
[Collection(HostCollection.Name)]
public sealed class TickStreamSpec
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Tick_stream_must_subscribe_a_code_listed_twice_once_and_settle()
    {
        var f = await HostFixture.StartAsync();
        await using (f)
        {
            await using var stream = f.Client.Subscribe(["005930", "005930", "000660"], "0B");
            await stream.Settled.WaitAsync(Wait);
            Assert.Equal([("000660", "0B"), ("005930", "0B")], stream.Confirmed.Keys.Order());
            Assert.Empty(stream.Rejected);
            using var cts = new CancellationTokenSource(Wait);
            Assert.NotNull((await stream.ReadAsync(cts.Token)).Price);
        }
    }

    [Fact]
    public async Task Tick_stream_must_deliver_one_gap_per_pair_after_a_drop_before_the_first_tick_after_it()
    {
        var f = await HostFixture.StartAsync();
        await using (f)
        {
            await using var stream = f.Client.Subscribe(["005930", "000660"], "0B");
            await stream.Settled.WaitAsync(Wait);
            using var cts = new CancellationTokenSource(Wait);
            var seen = new HashSet<string>();
            while (seen.Count < 2) seen.Add((await stream.ReadAsync(cts.Token)).Code);     // both codes ticked before the drop

            f.Sim.DropAllSessions(Simulator.DropMode.NormalClosure);
            var gaps = new List<SubscriptionGap>();
            var reading = stream.Gaps.GetAsyncEnumerator(cts.Token);
            while (gaps.Count < 2 && await reading.MoveNextAsync()) gaps.Add(reading.Current);
            Assert.Equal(["000660", "005930"], gaps.Select(g => g.Code).Order());                        // one per pair
            Assert.All(gaps, g => Assert.Equal("server closed the connection", g.Cause));
            Assert.All(gaps, g => Assert.NotNull(g.MissedVolume));
            var firstAfter = gaps.ToDictionary(g => g.Code, g => g.To);
            while (firstAfter.Count > 0)                                                                 // each gap's tick follows it
            {
                var tick = await stream.ReadAsync(cts.Token);
                if (firstAfter.TryGetValue(tick.Code, out var to) && to == tick.ReceivedAt) firstAfter.Remove(tick.Code);
            }
            await stream.DisposeAsync();
            Assert.False(await reading.MoveNextAsync());                                                 // the gaps end with the stream
            await reading.DisposeAsync();
        }
    }

    [Fact]
    public async Task Tick_stream_must_end_with_every_reason_when_every_pair_is_rejected()
    {
        var f = await HostFixture.StartAsync();
        await using (f)
        {
            await using var stream = f.Client.Subscribe(["12", "AB-1", null!], "0B");
            await stream.Settled.WaitAsync(Wait);
            using var cts = new CancellationTokenSource(Wait);
            var e = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            {
                await foreach (var _ in stream.WithCancellation(cts.Token)) { }
            });
            Assert.StartsWith("Every subscription of the tick stream was rejected: ", e.Message);
            Assert.Contains("12/0B: code '12' must be 3 to 6", e.Message);
            Assert.Contains("AB-1/0B: code 'AB-1' has the character '-'", e.Message);
            Assert.Contains("/0B: code is missing", e.Message);                 // the null code, as empty
            Assert.Equal(3, stream.Rejected.Count);
        }
    }

    [Fact]
    public async Task Tick_stream_must_end_cleanly_when_the_feed_stops_and_reject_what_was_still_pending()
    {
        var f = await HostFixture.StartAsync(commandLine: "--ActorFeed:ShutdownTimeout=00:00:01");   // the REMOVE on stop gets no reply
        await using (f)
        {
            await f.WaitForState(FeedState.Connected);
            await using var live = f.Client.Subscribe(["005930"], "0B");
            await live.Settled.WaitAsync(Wait);
            f.Sim.Faults.WithholdRegReplies = true;
            await using var pending = f.Client.Subscribe(["000660"], "0B");    // its REG is never answered
            await f.Sim.Record.WaitUntilAsync(r => r.Sessions[0].RepliesWithheld >= 1, Wait, "the REG of 000660 withheld");
            using var cts = new CancellationTokenSource(Wait);
            await live.ReadAsync(cts.Token);
            var reading = Task.Run(async () =>
            {
                var n = 0;
                await foreach (var _ in live.WithCancellation(cts.Token)) n++;
                return n;
            });

            await f.Host.StopAsync();
            await reading.WaitAsync(Wait);                                      // the enumeration ended, without an exception
            await foreach (var _ in pending.WithCancellation(cts.Token)) { }     // ended too (after what it had buffered: the
                                                                                 // server applied the REG, only its reply is withheld)
            await pending.Settled.WaitAsync(Wait);
            Assert.Equal(TickStream.FeedStoppedReason, pending.Rejected[("000660", "0B")]);
            Assert.Empty(live.Rejected);                                        // it had been confirmed
        }
    }
}
