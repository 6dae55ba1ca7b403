using ActorFeed.Simulator;

// dotnet run --project src/ActorFeed.Simulator [-- --port 5080]
var port = 0;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--port" && i + 1 < args.Length && int.TryParse(args[i + 1], out var p) && p is >= 0 and <= 65535) port = p;
    else if (args[i] is "--help" or "-h")
    {
        Console.WriteLine("ActorFeed.Simulator: a Kiwoom-compatible exchange on 127.0.0.1.\n  --port N   listen on port N (default 0: the OS picks one)");
        return 0;
    }
    else if (args[i] == "--port")
    {
        Console.Error.WriteLine("--port needs a number from 0 to 65535");
        return 2;
    }
}
await using var sim = await KiwoomSimulator.StartAsync(new SimulatorOptions(), port);
Console.WriteLine($"REST base:  {sim.RestBaseUrl}");
Console.WriteLine($"WebSocket:  {sim.WebSocketUrl}");
Console.WriteLine($"Control:    POST {sim.RestBaseUrl}sim/drop?mode=1000|1001|1011|abort, sim/silence, sim/reject-logins?count=N,");
Console.WriteLine("            sim/expire-tokens, sim/refuse?seconds=N, sim/token-fault?mode=none|500|8001|1700,");
Console.WriteLine("            sim/reject-reg?codes=A,B, sim/bad-frames?count=N, sim/slow?ms=N, sim/duplicate-login, sim/clear;");
Console.WriteLine($"            GET {sim.RestBaseUrl}sim/state");
Console.WriteLine("Ctrl+C to stop.");
var done = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; done.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => done.TrySetResult();
await done.Task;
return 0;
