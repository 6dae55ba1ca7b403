using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using ActorFeed.Simulator;
using ActorFeed.Testing;

namespace ActorFeed.Dashboard.Tests;

/// <summary>
/// The demo run as a process (as a user runs it), pointed at a simulator of this test with
/// <c>--ActorFeed:WebSocketUrl=... --ActorFeed:RestBaseUrl=...</c> and credentials, <c>--no-faults</c> (the test drives the
/// faults through the simulator's switches), and <c>--dashboard-port 0</c>: its <c>Dashboard: http://...</c> line
/// says where the page is.
/// </summary>
public sealed partial class DemoProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _dashboard = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DemoProcess(Process process) => _process = process;

    /// <summary>The page's address with a trailing slash (a base for its relative URIs, e.g. <c>status</c>).</summary>
    public Uri Dashboard => _dashboard.Task.Result;

    /// <summary>The page's address exactly as the demo printed it.</summary>
    public Uri Printed => new(Dashboard.ToString().TrimEnd('/'));

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static async Task<DemoProcess> StartAsync(KiwoomSimulator sim, params string[] extra)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(DemoDll());
        foreach (var a in (string[])[
                     $"--ActorFeed:WebSocketUrl={sim.WebSocketUrl}", $"--ActorFeed:RestBaseUrl={sim.RestBaseUrl}",
                     $"--ActorFeed:AppKey={WebHostFixture.AppKey}", $"--ActorFeed:SecretKey={WebHostFixture.SecretKey}",
                     "--ActorFeed:MarketCalendar=always", "--dashboard-port", "0", "--no-faults", .. extra])
            psi.ArgumentList.Add(a);
        psi.Environment.Remove("ActorFeed__AppKey");
        psi.Environment.Remove("ActorFeed__SecretKey");
        var demo = new DemoProcess(Process.Start(psi)!);
        demo._process.OutputDataReceived += (_, e) => demo.OnLine(e.Data);
        demo._process.ErrorDataReceived += (_, e) => demo.OnLine(e.Data);
        demo._process.BeginOutputReadLine();
        demo._process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var exited = demo._process.WaitForExitAsync(cts.Token);
        if (await Task.WhenAny(demo._dashboard.Task, exited) != demo._dashboard.Task || !demo._dashboard.Task.IsCompletedSuccessfully)
        {
            await demo.DisposeAsync();
            throw new InvalidOperationException($"the demo printed no dashboard address:\n{demo.Output}");
        }
        return demo;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        if (DashboardLine().Match(line) is { Success: true } m) _dashboard.TrySetResult(new Uri(m.Groups[1].Value + "/"));
    }

    /// <summary>The host goes away at once, as a crashed or stopped process does.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private static string DemoDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;      // bin/{Configuration}/net10.0/
        var dll = Repo.File("src", "ActorFeed.Demo", "bin", configuration, "net10.0", "ActorFeed.Demo.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} not built ({configuration})");
        return dll;
    }

    [GeneratedRegex(@"^Dashboard: (http://127\.0\.0\.1:\d+/actorfeed)$")]
    private static partial Regex DashboardLine();
}
