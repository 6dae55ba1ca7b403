using ActorFeed.Testing;
using System.Diagnostics;
using System.Text.Json;

namespace ActorFeed.Hosting.Tests;

/// <summary>The demo run as a process, the way a newcomer runs it, with its --json output parsed.</summary>
public sealed class DemoProcessSpec
{
    private static string DemoDll()
    {
        var testDir = AppContext.BaseDirectory;                               // tests/ActorFeed.Hosting.Tests/bin/{Configuration}/net10.0/
        var configuration = new DirectoryInfo(testDir).Parent!.Name;
        var dll = Repo.File("src", "ActorFeed.Demo", "bin", configuration, "net10.0", "ActorFeed.Demo.dll");
        Assert.True(File.Exists(dll), $"{dll} not built ({configuration})");
        return dll;
    }

    private static async Task<(int Exit, string Out, string Err)> RunDemo(TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(DemoDll());
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("ActorFeed__AppKey");
        psi.Environment.Remove("ActorFeed__SecretKey");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { p.Kill(true); throw new TimeoutException($"demo did not exit within {timeout}"); }
        return (p.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Demo_must_show_ticks_and_recover_from_every_fault_of_the_tour_in_json()
    {
        var (exit, stdout, stderr) = await RunDemo(TimeSpan.FromSeconds(90), "--json", "--exit-after-tour", "--duration", "80");
        Assert.True(exit == 0, $"exit {exit}\n{stderr}");
        var events = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(events, e =>
        {
            Assert.False(string.IsNullOrEmpty(e.GetProperty("event").GetString()));
            Assert.True(DateTimeOffset.TryParse(e.GetProperty("at").GetString(), out _));
        });
        string? Str(JsonElement e, string p) => e.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var states = events.Where(e => Str(e, "event") == "state").ToList();
        var causes = states.Select(e => Str(e, "cause")).Where(c => c is not null).ToHashSet();
        Assert.Contains("server closed the connection", causes);
        Assert.Contains("keepalive timeout", causes);
        Assert.Contains("token rejected", causes);
        Assert.Contains("another process uses this app key", causes);
        Assert.Contains(states, e => Str(e, "state") == "Failed");
        Assert.Contains(events, e => Str(e, "event") == "note" && Str(e, "message")!.StartsWith("fault tour done"));

        var confirmed = events.Where(e => Str(e, "event") == "subscription" && Str(e, "status") == "confirmed").Select(e => Str(e, "code")).ToHashSet();
        Assert.Equal(["000660", "005930", "035420"], confirmed.Order());
        // after the last reconnection every code ticks again
        var lastConnected = states.FindLastIndex(e => Str(e, "state") == "Connected");
        var afterIndex = events.IndexOf(states[lastConnected]);
        var ticksAfter = events.Skip(afterIndex).Where(e => Str(e, "event") == "tick").Select(e => Str(e, "code")).ToHashSet();
        Assert.Equal(["000660", "005930", "035420"], ticksAfter.Order());
        Assert.All(events.Where(e => Str(e, "event") == "tick"), e => Assert.True(e.GetProperty("values").TryGetProperty("10", out _)));
        // each drop of the tour ends in gap notices: every field there, the missed volume a number for 0B trades
        var gaps = events.Where(e => Str(e, "event") == "gap").ToList();
        Assert.NotEmpty(gaps);
        Assert.All(gaps, e =>
        {
            Assert.Contains(Str(e, "code"), new[] { "000660", "005930", "035420" });
            Assert.Equal("0B", Str(e, "type"));
            Assert.True(DateTimeOffset.Parse(Str(e, "from")!) <= DateTimeOffset.Parse(Str(e, "to")!));
            Assert.False(string.IsNullOrEmpty(Str(e, "cause")));
            Assert.Equal(JsonValueKind.Number, e.GetProperty("missedVolume").ValueKind);
        });
        Assert.Contains(gaps, e => Str(e, "cause") == "server closed the connection");
        Assert.Equal("Stopped", Str(states[^1], "state"));
        Assert.Contains("Supervision: connection failed", stderr);                 // logs on stderr, not in the JSON
        // the status page, on loopback only, announced once at start
        var dashboard = Assert.Single(events, e => Str(e, "event") == "dashboard");
        Assert.Matches(@"^http://127\.0\.0\.1:\d+/actorfeed$", Str(dashboard, "url"));
    }

    [Fact]
    public async Task Demo_must_serve_no_page_with_no_dashboard()
    {
        var (exit, stdout, stderr) = await RunDemo(TimeSpan.FromSeconds(60), "--no-dashboard", "--no-faults", "--duration", "3");
        Assert.True(exit == 0, $"exit {exit}\n{stderr}");
        Assert.DoesNotContain("Dashboard:", stdout);
        Assert.Contains("state Connected", stdout);
    }

    [Theory]
    [InlineData("--symbols", "12")]
    [InlineData("--duration", "soon")]
    [InlineData("--types", "0Z")]
    [InlineData("--nonsense")]
    [InlineData("--dashboard-port", "http")]
    [InlineData("--dashboard-port", "70000")]
    [InlineData("--production")]
    [InlineData("--ActorFeed:BackoffMax=00:00:00.001")]
    public async Task Demo_must_answer_bad_input_with_one_clear_line_and_a_nonzero_exit(params string[] args)
    {
        var (exit, stdout, stderr) = await RunDemo(TimeSpan.FromSeconds(60), args);
        Assert.NotEqual(0, exit);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.DoesNotContain("   at ", stderr);
        Assert.Equal("", stdout);
    }
}
