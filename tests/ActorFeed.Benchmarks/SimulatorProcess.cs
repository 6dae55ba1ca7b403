using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ActorFeed.Benchmarks;

/// <summary>
/// The simulator in its own process (the ActorFeed.Simulator.dll built next to this harness), so that the exchange
/// does not share the client's heap, GC pauses or thread pool. Listens on 127.0.0.1 with a port the OS picks; the
/// harness reads the URLs it prints and drives faults over its HTTP control endpoint.
/// </summary>
public sealed class SimulatorProcess : IAsyncDisposable
{
    private static readonly List<Process> Running = [];
    private readonly Process _process;

    static SimulatorProcess()
    {
        // A harness that dies (exception, Ctrl+C, timeout) must not leave simulators running.
        void KillAll()
        {
            lock (Running) foreach (var p in Running) try { p.Kill(entireProcessTree: true); } catch { /* gone */ }
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
        Console.CancelKeyPress += (_, _) => KillAll();
    }
    private readonly HttpClient _http = new();

    private SimulatorProcess(Process process, Uri rest, Uri ws)
    {
        _process = process;
        RestBaseUrl = rest;
        WebSocketUrl = ws;
    }

    public Uri RestBaseUrl { get; }
    public Uri WebSocketUrl { get; }

    /// <param name="ratePerCode">REAL entries per second per registered code.</param>
    public static async Task<SimulatorProcess> StartAsync(double ratePerCode, int frameMs = 10, int maxEntries = 50, bool stamp = false)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "ActorFeed.Simulator.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { dll, "--port", "0", "--rate", ratePerCode.ToString(CultureInfo.InvariantCulture), "--frame-ms", frameMs.ToString(CultureInfo.InvariantCulture),
                     "--max-entries", maxEntries.ToString(CultureInfo.InvariantCulture), "--ping-seconds", "5" })
            info.ArgumentList.Add(a);
        if (stamp) info.ArgumentList.Add("--stamp");
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the simulator");
        lock (Running) Running.Add(process);
        _ = process.StandardError.ReadToEndAsync();
        Uri? rest = null, ws = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (rest is null || ws is null)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                       ?? throw new InvalidOperationException($"the simulator exited with {(process.WaitForExit(1000) ? process.ExitCode : -1)} before printing its URLs");
            if (line.StartsWith("REST base:", StringComparison.Ordinal)) rest = new Uri(line["REST base:".Length..].Trim());
            else if (line.StartsWith("WebSocket:", StringComparison.Ordinal)) ws = new Uri(line["WebSocket:".Length..].Trim());
        }
        _ = Task.Run(async () => { while (await process.StandardOutput.ReadLineAsync() is not null) { } });
        return new SimulatorProcess(process, rest, ws);
    }

    /// <summary>Closes every session with close status 1000 (server-initiated drop).</summary>
    public async Task DropAllSessionsAsync()
    {
        using var r = await _http.PostAsync(new Uri(RestBaseUrl, "sim/drop?mode=1000"), null);
        r.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Closes every session with close status 1000 and waits until each has written its last frame; returns the
    /// simulator clock time (<see cref="ActorFeed.Simulator.SimClock"/>) by which all were closed: a tick stamped
    /// later can only come from a new session.
    /// </summary>
    public async Task<long> DropAndWaitClosedAsync()
    {
        var dropped = (await SessionsAsync()).Count;           // sessions are listed in the order they opened
        if (dropped == 0) throw new InvalidOperationException("no session to drop");
        await DropAllSessionsAsync();
        while (true)
        {
            var closes = (await SessionsAsync()).Take(dropped).ToList();
            if (closes.All(c => c is not null)) return closes.Max(c => c!.Value);
            await Task.Delay(2);
        }
    }

    private async Task<List<long?>> SessionsAsync()
    {
        using var doc = JsonDocument.Parse(await StateAsync());
        return doc.RootElement.GetProperty("sessions").EnumerateArray()
            .Select(s => s.GetProperty("closedAtMicros") is { ValueKind: JsonValueKind.Number } c ? c.GetInt64() : (long?)null).ToList();
    }

    /// <summary>The simulator's record as JSON (for error messages).</summary>
    public Task<string> StateAsync() => _http.GetStringAsync(new Uri(RestBaseUrl, "sim/state"));

    /// <summary>Ticks the simulator has sent and conflated so far, over all sessions.</summary>
    public async Task<(long Sent, long Conflated)> TicksAsync()
    {
        using var doc = JsonDocument.Parse(await _http.GetStringAsync(new Uri(RestBaseUrl, "sim/state")));
        long sent = 0, conflated = 0;
        foreach (var s in doc.RootElement.GetProperty("sessions").EnumerateArray())
        {
            sent += s.GetProperty("ticksSent").GetInt64();
            conflated += s.GetProperty("ticksConflated").GetInt64();
        }
        return (sent, conflated);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        lock (Running) Running.Remove(_process);
        _process.Dispose();
    }
}
