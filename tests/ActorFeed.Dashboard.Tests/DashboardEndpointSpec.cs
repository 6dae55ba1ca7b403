using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ActorFeed.Messages;
using ActorFeed.Simulator;
using Microsoft.AspNetCore.Builder;

namespace ActorFeed.Dashboard.Tests;

/// <summary>The dashboard's endpoints over HTTP, in an ASP.NET Core host of this process, against the simulator.</summary>
public sealed class DashboardEndpointSpec
{
    private static readonly string[] Codes = ["005930", "000660"];

    private static string? Str(JsonElement e, string p) => e.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static DateTimeOffset? Time(JsonElement e, string p) => Str(e, p) is { } s ? DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : null;

    private static async Task<JsonElement> StatusJson(WebHostFixture host)
    {
        using var response = await host.Http.GetAsync("status");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>The JSON and <see cref="GetFeedStatus"/> at the same moment: asked between two readings of the feed's status
    /// that agree (a state that changes meanwhile is asked again).</summary>
    private static async Task<(FeedStatus Feed, JsonElement Json)> Together(WebHostFixture host)
    {
        for (var i = 0; ; i++)
        {
            var before = await host.Client.GetStatusAsync();
            var json = await StatusJson(host);
            var after = await host.Client.GetStatusAsync();
            if (Same(before, after) || i == 20) return (after, json);
        }

        static bool Same(FeedStatus a, FeedStatus b) => a.State == b.State && a.Cause == b.Cause && a.Attempt == b.Attempt &&
            a.NextRetryAt == b.NextRetryAt && a.ConfirmedSubscriptions == b.ConfirmedSubscriptions && a.DesiredSubscriptions == b.DesiredSubscriptions;
    }

    private static void AssertAgree(FeedStatus feed, JsonElement json)
    {
        var status = json.GetProperty("status");
        Assert.Equal(feed.State.ToString(), Str(status, "state"));
        Assert.Equal(feed.Cause, Str(status, "cause"));
        Assert.Equal(feed.Attempt, status.GetProperty("attempt").GetInt32());
        Assert.Equal(feed.NextRetryAt, Time(status, "nextRetryAt"));
        Assert.Equal(feed.ConnectedSince, Time(status, "connectedSince"));
        Assert.Equal(feed.IsPermanentFailure, status.GetProperty("isPermanentFailure").GetBoolean());
        Assert.Equal(feed.StaleCodes, status.GetProperty("staleCodes").EnumerateArray().Select(e => e.GetString()!).ToList());
        var subscriptions = json.GetProperty("subscriptions");
        Assert.Equal(feed.DesiredSubscriptions, subscriptions.GetProperty("desired").GetInt32());
        Assert.Equal(feed.ConfirmedSubscriptions, subscriptions.GetProperty("confirmed").GetInt32());
    }

    [Fact]
    public async Task Status_must_agree_with_GetFeedStatus_through_a_fault()
    {
        // a slow backoff, so that Reconnecting lasts long enough to be read twice
        await using var host = await WebHostFixture.StartAsync(null, null, "--ActorFeed:BackoffMin=00:00:02", "--ActorFeed:BackoffMax=00:00:02");
        await using var ticks = await host.SubscribeAndTick(Codes);
        var (feed, json) = await Together(host);
        Assert.Equal(FeedState.Connected, feed.State);
        AssertAgree(feed, json);
        var codes = json.GetProperty("codes").EnumerateArray().ToList();
        Assert.Equal(Codes.Order(), codes.Select(c => Str(c, "code")!));
        Assert.All(codes, c =>
        {
            Assert.Equal("0B", Str(c, "type"));
            Assert.True(c.GetProperty("confirmed").GetBoolean());
            Assert.True(c.GetProperty("lastPrice").GetDecimal() > 0);
            Assert.NotNull(Time(c, "lastTickAt"));
            Assert.True(c.GetProperty("ticks").GetInt64() > 0);
        });
        Assert.Empty(json.GetProperty("conditions").EnumerateArray());

        // the link drops and new connections are refused: Reconnecting, with the cause and the next try
        await using var events = await ServerSentEvents.OpenAsync(host.Http);
        host.Sim.RefuseConnectionsFor(TimeSpan.FromMinutes(5));
        host.Sim.DropAllSessions(DropMode.InternalError);
        await host.WaitForState(FeedState.Reconnecting);
        (feed, json) = await Together(host);
        Assert.Equal(FeedState.Reconnecting, feed.State);
        Assert.NotNull(feed.NextRetryAt);
        AssertAgree(feed, json);
        var timeline = json.GetProperty("timeline").EnumerateArray().ToList();
        Assert.Contains(timeline, d => Str(d, "component") == "Connection" && Str(d, "cause") == "server closed the connection");

        // connections accepted again: Connected, one recovery, and each code's gap counted once ticks flow again
        host.Sim.Faults.RefuseConnectionsUntil = default;
        await host.WaitForState(FeedState.Connected);
        await events.UntilAsync(e => e.Name == "snapshot" && e.Json.GetProperty("codes").EnumerateArray().All(c => c.GetProperty("gaps").GetInt32() >= 1));
        (feed, json) = await Together(host);
        Assert.Equal(FeedState.Connected, feed.State);
        AssertAgree(feed, json);
        var connection = json.GetProperty("connection");
        Assert.True(connection.GetProperty("recoveries").GetInt64() >= 1);
        var recovery = connection.GetProperty("recentRecoveries")[0];
        Assert.Equal("server closed the connection", Str(recovery, "cause"));
        Assert.True(recovery.GetProperty("seconds").GetDouble() > 0);
        Assert.All(json.GetProperty("codes").EnumerateArray(), c =>
            Assert.Equal("server closed the connection", Str(c.GetProperty("lastGap"), "cause")));
    }

    [Fact]
    public async Task Status_must_show_a_followed_condition_with_its_members_and_each_change_until_it_is_unsubscribed()
    {
        await using var host = await WebHostFixture.StartAsync(new SimulatorOptions { ConditionChangesPerMinute = 0 });
        await host.WaitForState(FeedState.Connected);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var condition = host.Client.WatchCondition(0);
        await using var events = condition.GetAsyncEnumerator(cts.Token);
        Assert.True(await events.MoveNextAsync());
        var snapshot = Assert.IsType<ConditionSnapshot>(events.Current);

        var followed = Assert.Single((await StatusJson(host)).GetProperty("conditions").EnumerateArray());
        Assert.Equal((0, "골든크로스", "live"), (followed.GetProperty("seq").GetInt32(), Str(followed, "name"), Str(followed, "state")));
        Assert.Equal(snapshot.Codes.Count, followed.GetProperty("members").GetInt32());
        Assert.Equal(snapshot.Codes, Codes(followed));
        Assert.Equal(host.Sim.Record.ConditionMembers("0"), Codes(followed).Order(StringComparer.Ordinal));
        Assert.Equal(1, followed.GetProperty("subscribers").GetInt32());
        Assert.Empty(followed.GetProperty("tickTypes").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, followed.GetProperty("lastChange").ValueKind);
        Assert.Equal((0, 0), (followed.GetProperty("changes").GetInt64(), followed.GetProperty("recoveredChanges").GetInt64()));

        var changes = host.Sim.ChangeCondition("0", enter: 2, leave: 1);
        for (var i = 0; i < changes.Count; i++)
            Assert.True(await events.MoveNextAsync());                     // the feed applied every change
        followed = Assert.Single((await StatusJson(host)).GetProperty("conditions").EnumerateArray());
        Assert.Equal(host.Sim.Record.ConditionMembers("0")!.Count, followed.GetProperty("members").GetInt32());
        Assert.Equal(host.Sim.Record.ConditionMembers("0"), Codes(followed).Order(StringComparer.Ordinal));
        Assert.Equal((3, 0), (followed.GetProperty("changes").GetInt64(), followed.GetProperty("recoveredChanges").GetInt64()));
        var last = changes.MaxBy(c => c.Number)!;
        var lastChange = followed.GetProperty("lastChange");
        Assert.Equal((last.Code, last.Entered ? "entered" : "left", false),
            (Str(lastChange, "code"), Str(lastChange, "change"), lastChange.GetProperty("recovered").GetBoolean()));
        Assert.NotNull(Time(lastChange, "at"));

        await condition.DisposeAsync();                                    // unsubscribes: the feed clears it on the server
        await host.Sim.Record.WaitUntilAsync(r => r.Sessions.All(s => !s.ActiveConditions.Contains("0")), TimeSpan.FromSeconds(20), "CNSRCLR 0");
        Assert.Empty((await StatusJson(host)).GetProperty("conditions").EnumerateArray());

        static List<string> Codes(JsonElement condition) => condition.GetProperty("memberCodes").EnumerateArray().Select(e => e.GetString()!).ToList();
    }

    [Fact]
    public async Task Events_must_come_about_once_a_second_never_one_per_tick()
    {
        // 3 codes x 50 ticks a second: 150 ticks a second reach the feed
        await using var host = await WebHostFixture.StartAsync(new SimulatorOptions { TicksPerSecondPerItem = 50, FrameInterval = TimeSpan.FromMilliseconds(20) });
        await using var ticks = await host.SubscribeAndTick([.. Codes, "035420"]);
        await using var events = await ServerSentEvents.OpenAsync(host.Http);
        Assert.Equal("text/event-stream", events.ContentType);
        var snapshots = 0;
        var seen = await events.UntilAsync(e => e.Name == "snapshot" && ++snapshots == 5);
        Assert.All(seen, e => Assert.Equal("snapshot", e.Name));               // nothing happened but ticks: snapshots only
        var first = seen[0];
        var last = seen[^1];
        var elapsed = last.ReceivedAt - first.ReceivedAt;
        // 4 intervals of about 1 s; a stalled machine may bring the first two closer, never all of them
        Assert.True(elapsed >= TimeSpan.FromSeconds(2), $"5 snapshots within {elapsed}: more than about one a second");
        long Ticks(ServerSentEvent e) => e.Json.GetProperty("codes").EnumerateArray().Sum(c => c.GetProperty("ticks").GetInt64());
        var delivered = Ticks(last) - Ticks(first);
        Assert.True(delivered > 20 * seen.Count, $"{delivered} ticks and {seen.Count} events: the events must not follow the ticks");
        // the rate the page draws: about 50 a second per code once two samples are in
        Assert.All(last.Json.GetProperty("codes").EnumerateArray(), c =>
        {
            Assert.True(c.GetProperty("ratePerSecond").GetDouble() > 10, c.ToString());
            Assert.InRange(c.GetProperty("rates").GetArrayLength(), 1, 60);
        });
    }

    [Fact]
    public async Task Dashboard_must_never_show_a_secret()
    {
        await using var host = await WebHostFixture.StartAsync();
        await using var ticks = await host.SubscribeAndTick(Codes);
        await using var events = await ServerSentEvents.OpenAsync(host.Http);
        await events.NextAsync();
        // the token in use now (the simulator hands out the valid one): the failure below is about it
        var expired = await CurrentToken();
        // a token failure: its decision carries a detail, told as it happens
        host.Sim.ExpireAllTokens();
        await events.UntilAsync(e => e.Name == "decision");
        await host.WaitForState(FeedState.Connected);
        await events.UntilAsync(e => e.Name == "snapshot" && Str(e.Json.GetProperty("status"), "state") == "Connected");
        var fresh = await CurrentToken();
        Assert.NotEqual(expired, fresh);

        var page = await host.Http.GetStringAsync("");
        var status = await host.Http.GetStringAsync("status");
        var decision = JsonDocument.Parse(status).RootElement.GetProperty("timeline")[0];
        Assert.False(string.IsNullOrEmpty(Str(decision, "detail")));
        foreach (var (what, text) in new[] { ("page", page), ("status", status), ("events", events.Raw) })
            foreach (var secret in new[] { WebHostFixture.AppKey, WebHostFixture.SecretKey, expired, fresh })
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"the {what} shows a secret");

        async Task<string> CurrentToken()
        {
            using var reply = await host.Http.PostAsJsonAsync(new Uri(host.Sim.RestBaseUrl, "oauth2/token"),
                new { grant_type = "client_credentials", appkey = WebHostFixture.AppKey, secretkey = WebHostFixture.SecretKey });
            var token = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
            Assert.False(string.IsNullOrEmpty(token));
            return token!;
        }
    }

    [Fact]
    public async Task Page_must_be_one_self_contained_file()
    {
        await using var host = await WebHostFixture.StartAsync();
        foreach (var path in new[] { "", "/actorfeed" })
        {
            using var response = await host.Http.GetAsync(path.Length == 0 ? host.Dashboard : new Uri(host.Dashboard, path));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("EventSource", html);
            Assert.DoesNotContain("<script src", html);
            Assert.DoesNotContain("<link", html);
            Assert.DoesNotContain("https://", html);
            Assert.True(html.Length < 32 * 1024, $"{html.Length} characters: small enough to read");
        }
    }

    [Fact]
    public async Task MapActorFeedDashboard_must_return_the_conventions_of_all_three_endpoints()
    {
        // a convention added to the returned builder applies to the page, the JSON and the events
        await using var host = await WebHostFixture.StartAsync(null, e => e.RequireHost("dashboard.invalid"));
        foreach (var path in new[] { "", "status", "events" })
        {
            using var response = await host.Http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }
}
