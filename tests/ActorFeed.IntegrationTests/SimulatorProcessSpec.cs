using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using ActorFeed.IntegrationTests.Support;
using Xunit.Abstractions;

namespace ActorFeed.IntegrationTests;

/// <summary>
/// The simulator run standalone, as a process (as under docker stop or systemd): SIGTERM and SIGINT stop it
/// promptly, with no session, after a session closed, and with a session open. Each prints the measured exit time.
/// </summary>
public sealed class SimulatorProcessSpec(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    [UnixFact]
    public async Task Simulator_process_must_exit_on_SIGTERM_with_no_client()
    {
        await using var sim = await SimulatorProcess.StartAsync(StartTimeout);
        await AssertExitsOnAsync(sim, SimulatorProcess.SIGTERM, "SIGTERM, no client");
    }

    [UnixFact]
    public async Task Simulator_process_must_exit_on_SIGINT_after_a_client_logged_in_and_closed()
    {
        await using var sim = await SimulatorProcess.StartAsync(StartTimeout);
        using (var ws = await LoggedInAsync(sim))
        {
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            Assert.Equal(WebSocketState.Closed, ws.State);
        }
        await AssertExitsOnAsync(sim, SimulatorProcess.SIGINT, "SIGINT, after a session closed");
    }

    [UnixFact]
    public async Task Simulator_process_must_exit_on_SIGTERM_with_a_session_open_and_ticking()
    {
        await using var sim = await SimulatorProcess.StartAsync(StartTimeout);
        using var ws = await LoggedInAsync(sim);
        await SendAsync(ws, """{"trnm":"REG","grp_no":"1","refresh":"1","data":[{"item":["005930"],"type":["0B"]}]}""");
        Assert.Contains("\"return_code\":0", await ReceiveAsync(ws, "REG"));
        Assert.Contains("005930", await ReceiveAsync(ws, "REAL"));   // the tick pump runs
        await AssertExitsOnAsync(sim, SimulatorProcess.SIGTERM, "SIGTERM, session open");
    }

    private async Task AssertExitsOnAsync(SimulatorProcess sim, int signal, string what)
    {
        var t0 = Stopwatch.GetTimestamp();
        sim.Signal(signal);
        var exited = await sim.WaitForExitAsync(ExitTimeout);
        var elapsed = Stopwatch.GetElapsedTime(t0);
        Assert.True(exited, $"still running {ExitTimeout.TotalSeconds} s after {what} (ignored signals {sim.SignalsIgnored()}); output:\n{sim.Output}");
        output.WriteLine($"[{what}] exited with {sim.ExitCode} in {elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(0, sim.ExitCode);                                 // a graceful stop, not killed by the signal
    }

    /// <summary>POST /oauth2/token, connect the WebSocket, LOGIN, and check the reply.</summary>
    private static async Task<ClientWebSocket> LoggedInAsync(SimulatorProcess sim)
    {
        using var http = new HttpClient { BaseAddress = sim.RestBaseUrl };
        using var response = await http.PostAsJsonAsync("oauth2/token", new { grant_type = "client_credentials", appkey = "proc-app-key", secretkey = "proc-secret-key" });
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        var ws = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await ws.ConnectAsync(sim.WebSocketUrl, timeout.Token);
        await SendAsync(ws, JsonSerializer.Serialize(new { trnm = "LOGIN", token }));
        Assert.Contains("\"return_code\":0", await ReceiveAsync(ws, "LOGIN"));
        return ws;
    }

    private static Task SendAsync(ClientWebSocket ws, string json) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next text frame of the given trnm (others, such as PING, are skipped).</summary>
    private static async Task<string> ReceiveAsync(ClientWebSocket ws, string trnm)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var length = 0;
            ValueWebSocketReceiveResult r;
            do
            {
                r = await ws.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                length += r.Count;
            } while (!r.EndOfMessage);
            var text = Encoding.UTF8.GetString(buffer, 0, length);
            if (r.MessageType == WebSocketMessageType.Close) throw new InvalidOperationException($"closed while waiting for {trnm}: {ws.CloseStatus}");
            if (text.Contains($"\"trnm\":\"{trnm}\"", StringComparison.Ordinal)) return text;
        }
    }
}

/// <summary>A fact that runs on Linux and macOS only (it sends POSIX signals).</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "sends POSIX signals";
    }
}
