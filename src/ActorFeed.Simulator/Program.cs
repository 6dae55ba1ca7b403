using System.Globalization;
using System.Runtime.InteropServices;
using ActorFeed.Simulator;

// dotnet run --project src/ActorFeed.Simulator [-- --port 5080 --rate 2 --frame-ms 50 --max-entries 20 --stamp --conditions-per-minute 4]
const string Usage = """
    ActorFeed.Simulator: a Kiwoom-compatible exchange on 127.0.0.1.
      --port N          listen on port N (default 0: the OS picks one)
      --rate R          REAL entries per second for each registered code (default 2)
      --frame-ms N      the tick pump wakes every N ms (default 50)
      --max-entries N   at most N entries in one REAL frame (default 20)
      --ping-seconds N  send a PING every N seconds; a client has 2 N to echo it (default 10)
      --stamp           add field 9999 with the send time (monotonic microseconds) to every entry
      --conditions-per-minute R
                        automatic condition search membership changes (a code entering or leaving) per
                        minute per condition (default 4; 0: none)
    """;
var options = new SimulatorOptions();
var port = 0;
for (var i = 0; i < args.Length; i++)
{
    string? Next() => i + 1 < args.Length ? args[++i] : null;
    int Int(string name, int min, int max) =>
        int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v : throw new ArgumentException($"{name} needs a whole number from {min} to {max}");
    try
    {
        switch (args[i])
        {
            case "--help" or "-h": Console.WriteLine(Usage); return 0;
            case "--port": port = Int("--port", 0, 65535); break;
            case "--rate":
                options.TicksPerSecondPerItem = double.TryParse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r >= 0 && r <= 100_000
                    ? r : throw new ArgumentException("--rate needs a number from 0 to 100000");
                break;
            case "--frame-ms": options.FrameInterval = TimeSpan.FromMilliseconds(Int("--frame-ms", 1, 60_000)); break;
            case "--max-entries": options.MaxEntriesPerFrame = Int("--max-entries", 1, 1_000); break;
            case "--ping-seconds":
                options.PingInterval = TimeSpan.FromSeconds(Int("--ping-seconds", 1, 3_600));
                options.PingGrace = options.PingInterval * 2;
                break;
            case "--stamp": options.StampSendTime = true; break;
            case "--conditions-per-minute":
                options.ConditionChangesPerMinute = double.TryParse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture, out var cr) && cr >= 0 && cr <= 60_000
                    ? cr : throw new ArgumentException("--conditions-per-minute needs a number from 0 to 60000");
                break;
            default: throw new ArgumentException($"unknown option '{args[i]}' (--help lists them)");
        }
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
}
// The process owns its signals (the simulator library registers none): SIGINT (Ctrl+C), SIGTERM (docker stop,
// systemd, kill) and SIGQUIT stop it gracefully; a second signal during the stop ends the process at once.
var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void OnSignal(PosixSignalContext context)
{
    context.Cancel = !stop.Task.IsCompleted;
    stop.TrySetResult();
}
using var sigInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var sigQuit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);
await using var sim = await KiwoomSimulator.StartAsync(options, port);
Console.WriteLine($"REST base:  {sim.RestBaseUrl}");
Console.WriteLine($"WebSocket:  {sim.WebSocketUrl}");
Console.WriteLine($"Control:    POST {sim.RestBaseUrl}sim/drop?mode=1000|1001|1011|abort, sim/silence, sim/reject-logins?count=N&code=8005,");
Console.WriteLine("            sim/expire-tokens, sim/refuse?seconds=N, sim/token-fault?mode=none|500|8001|1700&http=200,");
Console.WriteLine("            sim/error-envelope?mode=fine|coarse, sim/reject-reg?codes=A,B, sim/rate-limit-regs?count=N,");
Console.WriteLine("            sim/withhold-replies?count=N|mode=on|off, sim/bad-frames?count=N, sim/slow?ms=N,");
Console.WriteLine("            sim/duplicate-login, sim/clear;");
Console.WriteLine("            sim/forget-registrations, sim/market?state=closed|open,");
Console.WriteLine("            sim/condition-change?seq=S&enter=N&leave=M (or &codesIn=A,B&codesOut=C), sim/condition-rate?perMinute=R;");
Console.WriteLine($"            GET {sim.RestBaseUrl}sim/state");
Console.WriteLine("Ctrl+C (or SIGTERM) to stop.");
await stop.Task;
return 0;
