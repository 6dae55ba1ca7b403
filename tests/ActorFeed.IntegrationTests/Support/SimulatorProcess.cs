using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace ActorFeed.IntegrationTests.Support;

/// <summary>
/// The built simulator (ActorFeed.Simulator.dll, copied next to this test assembly by the project reference) run as
/// its own process, as a user runs it: 127.0.0.1, a port the OS picks, URLs read from what it prints. Unix only
/// (signals are sent with libc's kill).
/// </summary>
public sealed class SimulatorProcess : IAsyncDisposable
{
    public const int SIGINT = 2;
    public const int SIGTERM = 15;

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SimulatorProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public Uri RestBaseUrl { get; private set; } = null!;
    public Uri WebSocketUrl { get; private set; } = null!;

    /// <summary>Exit code, once exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Everything it printed (stdout and stderr) so far, for failure messages.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Starts the simulator and completes once it has printed its URLs (it handles signals from then on).</summary>
    public static async Task<SimulatorProcess> StartAsync(TimeSpan timeout)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ActorFeed.Simulator.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("the simulator is not next to the tests", dll);
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        ProcessStartInfo info;
        if (SigIntIgnoredHere())
        {
            // A shell starts background jobs with SIGINT ignored, and a child inherits that (the .NET runtime keeps an
            // inherited SIG_IGN): the simulator would never see SIGINT. Start it with the default disposition.
            info = new ProcessStartInfo("env");
            info.ArgumentList.Add("--default-signal=INT");
            info.ArgumentList.Add(dotnet);
        }
        else info = new ProcessStartInfo(dotnet);
        foreach (var a in new[] { dll, "--port", "0" }) info.ArgumentList.Add(a);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;

        var sim = new SimulatorProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start the simulator"));
        var urls = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sim._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line) return;
            lock (sim._output) sim._output.AppendLine(line);
            if (line.StartsWith("REST base:", StringComparison.Ordinal)) sim.RestBaseUrl = new Uri(line["REST base:".Length..].Trim());
            else if (line.StartsWith("WebSocket:", StringComparison.Ordinal))
            {
                sim.WebSocketUrl = new Uri(line["WebSocket:".Length..].Trim());
                urls.TrySetResult();
            }
        };
        sim._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line) lock (sim._output) sim._output.AppendLine("stderr: " + line);
        };
        sim._process.BeginOutputReadLine();
        sim._process.BeginErrorReadLine();
        try
        {
            await Task.WhenAny(urls.Task, sim._process.WaitForExitAsync()).WaitAsync(timeout);
            if (!urls.Task.IsCompleted) throw new InvalidOperationException($"the simulator exited with {sim._process.ExitCode} before printing its URLs:\n{sim.Output}");
        }
        catch
        {
            await sim.DisposeAsync();
            throw;
        }
        return sim;
    }

    /// <summary>Sends <paramref name="signal"/> (kill(2)).</summary>
    public void Signal(int signal)
    {
        if (kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the process to exit; true if it did.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The ignored-signal mask of a process, from /proc (Linux), for failure messages.</summary>
    public string SignalsIgnored() =>
        File.Exists($"/proc/{_process.Id}/status")
            ? File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal)) ?? "?"
            : "?";

    private static bool SigIntIgnoredHere()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return false;
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (SIGINT - 1))) != 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
