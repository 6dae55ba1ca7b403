using System.Net.Http.Json;
using System.Text.Json;
using ActorFeed.IntegrationTests.Support;
using ActorFeed.Simulator;
using Xunit.Abstractions;

namespace ActorFeed.IntegrationTests;

/// <summary>
/// The simulator alone, through bare clients: one trade tape per code shared by every session (FID 13 the running sum
/// of |FID 15|), the record of what each session missed, and the switches that stop the data while PINGs go on
/// (forgotten registrations, market closed).
/// </summary>
public sealed class SimulatorTapeSpec(ITestOutputHelper output) : IntegrationSpec(output)
{
    private static readonly string[] Codes3 = ["005930", "000660", "035420"];
    private const string Code = "005930";

    private Task<RawKiwoomClient> Client(string appKey) => RawKiwoomClient.ConnectAsync(Sim.RestBaseUrl, Sim.WebSocketUrl, appKey, Wait);

    /// <summary>Between consecutive trades a session received, FID 13 grew by exactly the later trade's |FID 15|.</summary>
    private static void AssertRunningSum(IReadOnlyList<RawTrade> trades)
    {
        for (var i = 1; i < trades.Count; i++)
            Assert.True(trades[i].CumulativeVolume - trades[i - 1].CumulativeVolume == Math.Abs(trades[i].Volume),
                $"{trades[i].Code}: trade {i} has FID 13 {trades[i].CumulativeVolume} after {trades[i - 1].CumulativeVolume}, FID 15 {trades[i].Volume}");
    }

    [Fact]
    public async Task Tape_must_give_every_session_the_same_trades_with_FID_13_the_running_sum_of_FID_15()
    {
        await using var a = await Client("tape-a");
        await using var b = await Client("tape-b");
        await a.RegisterAsync(Codes3, Wait);
        await b.RegisterAsync(Codes3, Wait);
        await b.WaitUntilAsync(c => Codes3.All(code => c.TradesOf(code).Count >= 10), Wait, "10 trades of each code");
        foreach (var code in Codes3)
        {
            var seenByB = b.TradesOf(code).Take(10).ToList();
            // a registered first: it gets every trade b got, identical (same FID 13, FID 15 and price)
            await a.WaitUntilAsync(c => c.TradesOf(code).Any(t => t.CumulativeVolume == seenByB[^1].CumulativeVolume), Wait, "a has b's tenth trade");
            var seenByA = a.TradesOf(code).ToDictionary(t => t.CumulativeVolume);
            Assert.All(seenByB, t => Assert.Equal(t, seenByA.GetValueOrDefault(t.CumulativeVolume)));
            AssertRunningSum(a.TradesOf(code));
            AssertRunningSum(b.TradesOf(code));
        }
        Sim.Record.Read(r =>
        {
            foreach (var s in r.Sessions)
            foreach (var code in Codes3)
            {
                var run = Assert.Single(s.TradeRuns[code]);
                Assert.Equal(run.LastSequence - run.FirstSequence + 1, run.Count);        // nothing conflated
            }
            Assert.True(r.Sessions[0].TradeRuns[Code][0].FirstSequence <= r.Sessions[1].TradeRuns[Code][0].FirstSequence);   // a registered first
            return true;
        });
    }

    [Fact]
    public async Task Record_must_tell_exactly_the_volume_a_session_missed_until_the_next_session()
    {
        await using var witness = await Client("tape-witness");                           // session 1: sees every trade
        await witness.RegisterAsync([Code], Wait);
        await using var first = await Client("tape-first");                               // session 2
        await first.RegisterAsync([Code], Wait);
        await first.WaitUntilAsync(c => c.TradesOf(Code).Count >= 3, Wait, "3 trades");
        await first.CloseAsync();
        var lastBefore = first.TradesOf(Code)[^1];
        // trades go on while nobody of that app key is connected
        await witness.WaitUntilAsync(c => c.TradesOf(Code).Count(t => t.CumulativeVolume > lastBefore.CumulativeVolume) >= 3, Wait, "3 trades after the close");
        await using var second = await Client("tape-second");                            // session 3
        await second.RegisterAsync([Code], Wait);
        await second.WaitUntilAsync(c => c.TradesOf(Code).Count >= 1, Wait, "a trade");
        var firstAfter = second.TradesOf(Code)[0];

        var missed = firstAfter.CumulativeVolume - Math.Abs(firstAfter.Volume) - lastBefore.CumulativeVolume;
        // the server records a frame once its send completed, which can be just after the client read it
        await Sim.Record.WaitUntilAsync(r => r.Sessions[2].TradeRuns.ContainsKey(Code)
                                             && r.Sessions[1].TradeRuns[Code][^1].LastCumulativeVolume >= lastBefore.CumulativeVolume, Wait, "both ends recorded");
        Assert.Equal(missed, Sim.Record.MissedVolume(Code, 2, 3));
        // and it is what the witness saw traded in between
        await witness.WaitUntilAsync(c => c.TradesOf(Code).Any(t => t.CumulativeVolume == firstAfter.CumulativeVolume), Wait, "the witness has the second session's first trade");
        var between = witness.TradesOf(Code).Where(t => t.CumulativeVolume > lastBefore.CumulativeVolume && t.CumulativeVolume < firstAfter.CumulativeVolume).ToList();
        Assert.True(between.Count >= 3);
        Assert.Equal(between.Sum(t => Math.Abs(t.Volume)), missed);
        Sim.Record.Read(r =>
        {
            Assert.Equal(lastBefore.CumulativeVolume, r.Sessions[1].TradeRuns[Code][^1].LastCumulativeVolume);   // the record's last = the client's last
            Assert.Equal(firstAfter.CumulativeVolume, r.Sessions[2].TradeRuns[Code][0].FirstCumulativeVolume);
            Assert.Null(r.MissedVolume("000660", 2, 3));                                                      // never registered
            return true;
        });
    }

    [Fact]
    public async Task Forget_registrations_must_stop_REAL_but_not_PING_and_a_new_REG_must_register_again()
    {
        using var http = new HttpClient { BaseAddress = Sim.RestBaseUrl };
        await using var client = await Client("tape-forget");
        await client.RegisterAsync([Code], Wait);
        await client.WaitUntilAsync(c => c.TradesOf(Code).Count >= 3, Wait, "3 trades");

        var forgot = await http.PostAsync("sim/forget-registrations", null);
        Assert.Equal(1, (await forgot.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("forgotten").GetInt32());
        await AssertPingsWithoutRealAsync(client);
        var lastBefore = client.TradesOf(Code)[^1];
        Sim.Record.Read(r =>
        {
            var s = r.Sessions.Single();
            Assert.Null(s.ClosedAt);
            Assert.Empty(s.Registered);
            Assert.Equal(1, s.RegistrationsForgotten);
            return true;
        });

        await client.RegisterAsync([Code], Wait);
        await client.WaitUntilAsync(c => c.TradesOf(Code).Count(t => t.CumulativeVolume > lastBefore.CumulativeVolume) >= 1, Wait, "a trade after the new REG");
        var firstAfter = client.TradesOf(Code).First(t => t.CumulativeVolume > lastBefore.CumulativeVolume);
        await Sim.Record.WaitUntilAsync(r => r.Sessions[0].TradeRuns[Code].Count == 2, Wait, "the second run recorded");
        Sim.Record.Read(r =>
        {
            var s = r.Sessions.Single();
            Assert.Equal(0, s.DuplicateRegistrations);
            Assert.Equal([Code + "/0B"], s.Registered);
            var runs = s.TradeRuns[Code];
            Assert.Equal(2, runs.Count);                                                // one run per registration
            var missed = TradeRun.MissedBetween(runs[0], runs[1]);
            Assert.Equal(firstAfter.CumulativeVolume - Math.Abs(firstAfter.Volume) - lastBefore.CumulativeVolume, missed);
            Assert.True(missed > 0);                                                    // trades went on while forgotten
            return true;
        });
    }

    [Fact]
    public async Task Market_closed_must_stop_ticks_for_everyone_while_PINGs_go_on_and_not_catch_up_when_it_opens()
    {
        using var http = new HttpClient { BaseAddress = Sim.RestBaseUrl };
        await using var client = await Client("tape-market");
        await client.RegisterAsync([Code], Wait);
        await client.WaitUntilAsync(c => c.TradesOf(Code).Count >= 3, Wait, "3 trades");

        Assert.True((await http.PostAsync("sim/market?state=closed", null)).IsSuccessStatusCode);
        Assert.True(Sim.Faults.MarketClosed);
        await AssertPingsWithoutRealAsync(client);
        Assert.Equal(400, (int)(await http.PostAsync("sim/market?state=maybe", null)).StatusCode);

        var before = client.TradesOf(Code).Count;
        Assert.True((await http.PostAsync("sim/market?state=open", null)).IsSuccessStatusCode);
        Assert.False(Sim.Faults.MarketClosed);
        await client.WaitUntilAsync(c => c.TradesOf(Code).Count >= before + 3, Wait, "3 trades after the open");
        // no trade happened while closed, none was made up: the session's tape has no hole
        AssertRunningSum(client.TradesOf(Code));
        Sim.Record.Read(r =>
        {
            var run = Assert.Single(r.Sessions.Single().TradeRuns[Code]);
            Assert.Equal(run.LastSequence - run.FirstSequence + 1, run.Count);
            return true;
        });
        Sim.Faults.MarketClosed = true;
        Sim.Faults.Clear();
        Assert.False(Sim.Faults.MarketClosed);                                          // a switch like the others
    }

    /// <summary>
    /// After a switch that stops the data: PINGs keep coming (and are echoed, the session stays open), and from the first
    /// PING queued after the switch (frames queued before it may still be on their way) to the third, no REAL arrives.
    /// </summary>
    private async Task AssertPingsWithoutRealAsync(RawKiwoomClient client)
    {
        var pings = client.Frames.Count(f => f.Trnm == "PING");
        await client.WaitUntilAsync(c => c.Frames.Count(f => f.Trnm == "PING") >= pings + 3, Wait, "3 PINGs");
        var frames = client.Frames;
        var firstPing = frames.Select((f, i) => (f, i)).Where(x => x.f.Trnm == "PING").Skip(pings).First().i;
        Assert.DoesNotContain(frames.Skip(firstPing), f => f.Trnm == "REAL");
        Assert.False(client.Closed);
    }
}
