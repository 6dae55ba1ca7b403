using ActorFeed.Testing;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;

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
        var (exit, stdout, stderr) = await RunDemo(TimeSpan.FromSeconds(60), "--no-dashboard", "--no-faults", "--duration", "15");   // time to connect on a loaded machine
        Assert.True(exit == 0, $"exit {exit}\n{stderr}");
        Assert.DoesNotContain("Dashboard:", stdout);
        Assert.Contains("state Connected", stdout);
    }

    [Fact]
    public async Task Demo_must_print_each_followed_conditions_snapshot_and_changes_in_json()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { DemoDll(), "--json", "--no-faults", "--symbols", "005930", "--condition", "0", "--condition", "1,99", "--duration", "60" })
            psi.ArgumentList.Add(a);
        psi.Environment.Remove("ActorFeed__AppKey");
        psi.Environment.Remove("ActorFeed__SecretKey");
        using var p = Process.Start(psi)!;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(45));
            var stdout = Channel.CreateUnbounded<JsonElement>();
            _ = Task.Run(async () =>
            {
                while (await p.StandardOutput.ReadLineAsync(cts.Token) is { } line)
                    if (line.Length > 0) stdout.Writer.TryWrite(JsonDocument.Parse(line).RootElement.Clone());
                stdout.Writer.TryComplete();
            }, CancellationToken.None);
            Uri? simulator = null;                                                // the log line names the built-in simulator's address
            while (simulator is null && await p.StandardError.ReadLineAsync(cts.Token) is { } log)
                if (Regex.Match(log, @"built-in simulator at ws://(127\.0\.0\.1:[0-9]+)/") is { Success: true } m) simulator = new Uri($"http://{m.Groups[1].Value}/");
            Assert.NotNull(simulator);
            _ = p.StandardError.ReadToEndAsync(cts.Token);                         // keep draining the logs

            string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            async Task<JsonElement> NextCondition(Func<JsonElement, bool> match)
            {
                while (true)
                {
                    var e = await stdout.Reader.ReadAsync(cts.Token);
                    Assert.True(DateTimeOffset.TryParse(Str(e, "at"), out _));
                    if (Str(e, "event") == "condition" && match(e)) return e;
                }
            }

            var snapshots = new Dictionary<int, JsonElement>();
            var rejected = (JsonElement?)null;
            while (snapshots.Count < 2 || rejected is null)
            {
                var e = await NextCondition(e => Str(e, "change") is "snapshot" or "rejected");
                if (Str(e, "change") == "rejected") rejected = e;
                else snapshots[e.GetProperty("seq").GetInt32()] = e;
            }
            Assert.Equal([0, 1], snapshots.Keys.Order());
            Assert.All(snapshots.Values, e =>
            {
                Assert.False(e.TryGetProperty("code", out _));                      // a snapshot carries codes, not code
                var codes = e.GetProperty("codes").EnumerateArray().Select(c => c.GetString()!).ToList();
                Assert.NotEmpty(codes);
                Assert.All(codes, c => Assert.Matches("^[0-9]{6}$", c));           // prefix stripped
                Assert.False(e.GetProperty("recovered").GetBoolean());
            });
            Assert.Equal(99, rejected!.Value.GetProperty("seq").GetInt32());
            Assert.Contains("not in the server's list", Str(rejected.Value, "reason"));

            using var http = new HttpClient { BaseAddress = simulator };
            using var reply = await http.PostAsync("sim/condition-change?seq=1&enter=1&leave=1", null, cts.Token);
            reply.EnsureSuccessStatusCode();
            var changes = JsonDocument.Parse(await reply.Content.ReadAsStringAsync(cts.Token)).RootElement.GetProperty("changes").EnumerateArray()
                .Select(c => (Code: c.GetProperty("code").GetString()!, Change: c.GetProperty("entered").GetBoolean() ? "entered" : "left")).ToList();
            Assert.Equal(2, changes.Count);
            foreach (var (code, change) in changes)
            {
                var e = await NextCondition(e => e.GetProperty("seq").GetInt32() == 1 && Str(e, "code") == code);
                Assert.Equal(change, Str(e, "change"));
                Assert.False(e.GetProperty("recovered").GetBoolean());
            }
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
    }

    [Theory]
    [InlineData("--symbols", "12")]
    [InlineData("--duration", "soon")]
    [InlineData("--types", "0Z")]
    [InlineData("--condition", "-1")]
    [InlineData("--condition", "1,x")]
    [InlineData("--nonsense")]
    [InlineData("--dashboard-port", "http")]
    [InlineData("--dashboard-port", "70000")]
    [InlineData("--production")]
    [InlineData("--ActorFeed:BackoffMax=00:00:00.001")]
    [InlineData("--cluster-port", "x")]
    [InlineData("--cluster-port", "0", "--seed", "127.0.0.1")]
    [InlineData("--seed", "127.0.0.1:4053")]
    [InlineData("--cluster-port", "0")]
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
