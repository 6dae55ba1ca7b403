using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Akka.Actor;
using ActorFeed.Messages;
using Xunit.Abstractions;

namespace ActorFeed.IntegrationTests;

/// <summary>The simulator's control endpoint, and a graceful shutdown seen from the server.</summary>
public sealed class SimulatorSpec(ITestOutputHelper output) : IntegrationSpec(output)
{
    private static readonly string[] Codes3 = ["005930", "000660", "035420"];

    [Fact]
    public async Task Control_endpoint_must_switch_faults_and_report_the_record()
    {
        using var http = new HttpClient { BaseAddress = Sim.RestBaseUrl };
        var feed = StartFeed();
        ExpectState(FeedState.Connected);
        var collector = SubscribeAndAwaitTicks(feed, Codes3);

        var drop = await http.PostAsync("sim/drop?mode=1011", null);
        Assert.True(drop.IsSuccessStatusCode);
        Assert.Equal("server closed the connection", ExpectDecision(FeedComponent.Connection).Cause);
        // Connected again first: ticks the old session sent just before the drop must not count as recovered.
        ExpectState(FeedState.Connected);
        AwaitAllTicked(collector, Codes3, Stopwatch.GetTimestamp());

        Assert.Equal(400, (int)(await http.PostAsync("sim/drop?mode=42", null)).StatusCode);
        Assert.True((await http.PostAsync("sim/reject-reg?codes=111111,222222", null)).IsSuccessStatusCode);
        Assert.True(Sim.Faults.RejectRegCodes.ContainsKey("222222"));
        Assert.True((await http.PostAsync("sim/clear", null)).IsSuccessStatusCode);
        Assert.Empty(Sim.Faults.RejectRegCodes);

        var state = await http.GetFromJsonAsync<JsonElement>("sim/state");
        Assert.Equal(2, state.GetProperty("connectionAttempts").GetInt32());
        var sessions = state.GetProperty("sessions");
        Assert.Equal(2, sessions.GetArrayLength());
        Assert.Equal(3, sessions[1].GetProperty("registered").GetInt32());
        Assert.Equal(3, sessions[1].GetProperty("registeredByGroup").GetProperty("1").GetInt32());
        Assert.Equal(0, sessions[1].GetProperty("repliesWithheld").GetInt32());

        // last, so that no REG of the feed's can meet it
        Assert.True((await http.PostAsync("sim/withhold-replies?count=2", null)).IsSuccessStatusCode);
        Assert.True(Sim.Faults.WithholdRegReplies);
        Assert.True((await http.PostAsync("sim/withhold-replies?mode=off", null)).IsSuccessStatusCode);
        Assert.False(Sim.Faults.WithholdRegReplies);
        Assert.True((await http.PostAsync("sim/withhold-replies", null)).IsSuccessStatusCode);       // on
        Assert.True(Sim.Faults.WithholdRegReplies);
        Assert.Equal(400, (int)(await http.PostAsync("sim/withhold-replies?mode=maybe", null)).StatusCode);
        var limit = await http.PostAsync("sim/rate-limit-regs?count=2", null);
        Assert.True(limit.IsSuccessStatusCode);
        Assert.Equal(2, (await limit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rateLimitNext").GetInt32());
        Assert.Equal(400, (int)(await http.PostAsync("sim/rate-limit-regs?count=-1", null)).StatusCode);
        Assert.True((await http.PostAsync("sim/clear", null)).IsSuccessStatusCode);
        Assert.False(Sim.Faults.WithholdRegReplies);
        AssertServerRegistrations(Codes3);
    }

    [Fact]
    public async Task Shutdown_must_REMOVE_everything_close_with_1000_and_revoke_the_token_on_the_server()
    {
        var feed = StartFeed(FastSettings() with { RevokeTokenOnStop = true });
        ExpectState(FeedState.Connected);
        SubscribeAndAwaitTicks(feed, Codes3);
        await CoordinatedShutdown.Get(Sys).Run(CoordinatedShutdown.ClrExitReason.Instance);
        await Sim.Record.WaitUntilAsync(r => r.Sessions[0].ClosedAt is not null && r.TokenRevokes == 1, Wait, "session closed and token revoked");
        Sim.Record.Read(r =>
        {
            var s = r.Sessions.Single();
            Assert.Equal(Codes3.Select(c => c + "/0B").Order(), s.RemoveRequests.Order());
            Assert.Empty(s.Registered);
            Assert.Empty(s.RegisteredGroups);
            Assert.Equal(new[] { "REG", "REMOVE" }, s.RegistrationFrames.Select(f => f.Trnm).Distinct());
            Assert.All(s.RegistrationFrames, f => Assert.Equal("1", f.Group));    // the feed's default grp_no, on REMOVE too
            Assert.StartsWith("client closed 1000", s.CloseReason);
            return true;
        });
    }
}
