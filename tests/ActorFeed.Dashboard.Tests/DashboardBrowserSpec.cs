using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using ActorFeed.Simulator;
using ActorFeed.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ActorFeed.Dashboard.Tests;

/// <summary>
/// The page in a real browser (headless Chromium through Playwright) against the demo host, run as a process and
/// pointed at a simulator of this test. Waits are Playwright's auto-waiting expectations, never fixed delays.
/// Set <c>ACTORFEED_DASHBOARD_SCREENSHOT=docs/dashboard.png</c> to save the README's screenshot (after a drop and the
/// recovery).
/// </summary>
public sealed class DashboardBrowserSpec : IAsyncLifetime
{
    private static readonly string[] Codes = ["000660", "005930", "035420"];
    private static readonly LocatorAssertionsToHaveTextOptions Long = new() { Timeout = 30_000 };
    private KiwoomSimulator _sim = null!;
    private Browser _browser = null!;

    public async Task InitializeAsync()
    {
        _browser = await Browser.LaunchAsync();
        _sim = await KiwoomSimulator.StartAsync(new SimulatorOptions { TicksPerSecondPerItem = 5 });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        if (_sim is not null) await _sim.DisposeAsync();
    }

    private static ILocator Cell(IPage page, string code, string cell) => page.Locator($"#codes tr[data-code='{code}'] td.{cell}");

    private static async Task ExpectConnectedWithRows(IPage page)
    {
        await Expect(page.Locator("#state")).ToHaveTextAsync("Connected", Long);
        await Expect(page.Locator("#link")).ToHaveTextAsync("live", Long);
        foreach (var code in Codes)
            await Expect(Cell(page, code, "price")).ToHaveTextAsync(new Regex(@"^\d{1,3}(,\d{3})*$"), Long);
    }

    [Fact]
    public async Task Page_must_show_Connected_and_every_code_row_updating()
    {
        await using var demo = await DemoProcess.StartAsync(_sim);
        var page = await _browser.OpenAsync(demo.Printed);
        await ExpectConnectedWithRows(page);
        await Expect(page.Locator("#codes tbody tr")).ToHaveCountAsync(Codes.Length);
        foreach (var code in Codes)
        {
            // the last tick's time moves on, and the rate is measured
            var last = await Cell(page, code, "last").TextContentAsync();
            await Expect(Cell(page, code, "last")).Not.ToHaveTextAsync(last!, Long);
            await Expect(Cell(page, code, "rate")).ToHaveTextAsync(new Regex(@"\d+\.\d$"), Long);
            await Expect(page.Locator($"#codes tr[data-code='{code}'] .staleness")).ToHaveTextAsync("ok", Long);
        }
        await Expect(page.Locator("#conditions tbody")).ToHaveTextAsync("no condition searches");
    }

    [Fact]
    public async Task Page_must_show_Reconnecting_with_the_cause_and_a_countdown_after_a_drop_then_Connected_again()
    {
        // a 12 s backoff, so that the countdown can be watched and the checks below see attempt 1 on a loaded machine
        await using var demo = await DemoProcess.StartAsync(_sim, "--ActorFeed:BackoffMin=00:00:12", "--ActorFeed:BackoffMax=00:00:12",
            "--ActorFeed:BackoffRandomFactor=0", "--condition", "1");                   // a condition too, recovered after the drop
        var page = await _browser.OpenAsync(demo.Printed);
        await ExpectConnectedWithRows(page);

        _sim.RefuseConnectionsFor(TimeSpan.FromMinutes(5));
        _sim.DropAllSessions(DropMode.InternalError);
        await Expect(page.Locator("#state")).ToHaveTextAsync("Reconnecting", Long);
        await Expect(page.Locator("#cause")).ToHaveTextAsync("cause: server closed the connection (attempt 1)");
        await Expect(page.Locator("#countdown")).ToHaveTextAsync(new Regex(@"^next try in \d+\.\d s$"));
        var countdown = await page.Locator("#countdown").TextContentAsync();
        await Expect(page.Locator("#countdown")).Not.ToHaveTextAsync(countdown!);        // it counts down live
        await Expect(page.Locator("#timeline tbody tr").First).ToContainTextAsync("server closed the connection");

        // the page and the status JSON say the same (the JSON agrees with GetFeedStatus: DashboardEndpointSpec)
        using var http = new HttpClient { BaseAddress = demo.Dashboard };
        var status = (await http.GetFromJsonAsync<JsonElement>("status")).GetProperty("status");
        Assert.Equal("Reconnecting", status.GetProperty("state").GetString());
        await Expect(page.Locator("#cause")).ToHaveTextAsync($"cause: {status.GetProperty("cause").GetString()} (attempt {status.GetProperty("attempt").GetInt32()})");

        _sim.Faults.RefuseConnectionsUntil = default;
        await ExpectConnectedWithRows(page);
        await Expect(page.Locator("#countdown")).ToHaveTextAsync("");
        await Expect(page.Locator("#recoveries tbody tr").First).ToContainTextAsync("server closed the connection", new() { Timeout = 30_000 });
        foreach (var code in Codes)
            await Expect(Cell(page, code, "gaps")).ToHaveTextAsync("1", Long);
        await Expect(page.Locator("#conditions tr[data-seq='1'] .condition-state")).ToHaveTextAsync("live", Long);   // followed again

        if (Environment.GetEnvironmentVariable("ACTORFEED_DASHBOARD_SCREENSHOT") is { Length: > 0 } path)
        {
            foreach (var code in Codes)                                             // a sparkline worth showing: 20 samples
                await Expect(Cell(page, code, "rate")).ToHaveAttributeAsync("data-samples", new Regex(@"^([2-5]\d|60)$"), new() { Timeout = 60_000 });
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.IsPathRooted(path) ? path : Repo.File(path), FullPage = true });
        }
    }

    [Fact]
    public async Task Page_must_show_a_followed_condition_and_its_member_count_change_after_a_simulator_change()
    {
        // the feed in this process, following condition 1 (4 members); no automatic churn: the test makes the change
        await using var host = await WebHostFixture.StartAsync(new SimulatorOptions { ConditionChangesPerMinute = 0 });
        await host.WaitForState(Messages.FeedState.Connected);
        await using var condition = host.Client.WatchCondition(1);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var events = condition.GetAsyncEnumerator(cts.Token);
        Assert.True(await events.MoveNextAsync());                          // the snapshot: followed

        var page = await _browser.OpenAsync(new Uri(host.Dashboard.ToString().TrimEnd('/')));
        var row = page.Locator("#conditions tr[data-seq='1']");
        await Expect(row.Locator(".condition-state")).ToHaveTextAsync("live", Long);
        await Expect(row).ToContainTextAsync("거래량급증");
        await Expect(row.Locator("td.members")).ToHaveTextAsync("4");
        await Expect(row.Locator("td.change")).ToHaveTextAsync("—");

        var change = Assert.Single(host.Sim.ChangeCondition("1", enter: 1));
        await Expect(row.Locator("td.members")).ToHaveTextAsync("5", Long);
        await Expect(row.Locator("td.change")).ToContainTextAsync($"{change.Code} entered");
        await Expect(row.Locator("td.codes")).ToContainTextAsync(change.Code);
        await Expect(row.Locator("td.changes")).ToHaveTextAsync("1 (0)");
    }

    [Fact]
    public async Task Page_must_agree_with_GetFeedStatus_through_a_fault()
    {
        // the feed in this process (so that GetFeedStatus can be asked directly), a 12 s backoff to read Reconnecting at attempt 1
        await using var host = await WebHostFixture.StartAsync(null, null, "--ActorFeed:BackoffMin=00:00:12", "--ActorFeed:BackoffMax=00:00:12",
            "--ActorFeed:BackoffRandomFactor=0");
        await using var ticks = await host.SubscribeAndTick("005930", "000660");
        var page = await _browser.OpenAsync(new Uri(host.Dashboard.ToString().TrimEnd('/')));
        var feed = await host.Client.GetStatusAsync();
        await Expect(page.Locator("#state")).ToHaveTextAsync(feed.State.ToString(), Long);
        await Expect(page.Locator("#subs")).ToHaveTextAsync($"({feed.ConfirmedSubscriptions} of {feed.DesiredSubscriptions} confirmed)");

        host.Sim.RefuseConnectionsFor(TimeSpan.FromMinutes(5));
        host.Sim.DropAllSessions(DropMode.InternalError);
        feed = await host.WaitForState(Messages.FeedState.Reconnecting);
        await Expect(page.Locator("#state")).ToHaveTextAsync(feed.State.ToString(), Long);
        await Expect(page.Locator("#cause")).ToHaveTextAsync($"cause: {feed.Cause} (attempt {feed.Attempt})");
        await Expect(page.Locator("#subs")).ToHaveTextAsync(new Regex($@"^\(0 of {feed.DesiredSubscriptions} confirmed, unconfirmed since "));
        var left = (feed.NextRetryAt!.Value - DateTimeOffset.UtcNow).TotalSeconds;
        await Expect(page.Locator("#countdown")).ToHaveTextAsync(new Regex(@"^next try in \d+\.\d s$"));
        var shown = double.Parse(Regex.Match((await page.Locator("#countdown").TextContentAsync())!, @"\d+\.\d").Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(shown, 0, left + 0.5);                                    // counting down to the feed's NextRetryAt

        host.Sim.Faults.RefuseConnectionsUntil = default;
        feed = await host.WaitForState(Messages.FeedState.Connected);
        await Expect(page.Locator("#state")).ToHaveTextAsync("Connected", Long);
        await Expect(page.Locator("#cause")).ToHaveTextAsync("");
        await Expect(page.Locator("#subs")).ToHaveTextAsync($"({feed.DesiredSubscriptions} of {feed.DesiredSubscriptions} confirmed)", Long);
    }

    [Fact]
    public async Task Page_must_say_the_host_is_unreachable_when_it_stops()
    {
        var demo = await DemoProcess.StartAsync(_sim);
        IPage page;
        await using (demo)
        {
            page = await _browser.OpenAsync(demo.Printed);
            await ExpectConnectedWithRows(page);
            await demo.KillAsync();
        }
        await Expect(page.Locator("#link")).ToHaveTextAsync(new Regex("^host unreachable since .*: showing the last state received; retrying$"), Long);
        await Expect(page.Locator("body")).ToHaveClassAsync("offline");
    }
}
