using System.Globalization;
using System.Net;
using System.Text.Json;
using Akka.Hosting;
using Akka.Logger.Serilog;
using ActorFeed.Demo;
using ActorFeed.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ActorFeed.Settings;
using ActorFeed.Simulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Events;

DemoArguments demo;
try
{
    demo = DemoArguments.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
if (demo.Help)
{
    Console.WriteLine(DemoArguments.Usage);
    return 0;
}

// --json: stdout carries the JSON lines and nothing else. Whatever else writes to the console's out (Akka's standard-out
// logger prints there before the Serilog logger runs and after it stops) goes to stderr with the logs.
var stdout = Console.Out;
if (demo.Json) Console.SetOut(Console.Error);

// with the dashboard the demo is a web app (Kestrel on 127.0.0.1 only); without it, a plain generic host
IHostApplicationBuilder builder = demo.Dashboard
    ? WebApplication.CreateBuilder(new WebApplicationOptions { Args = demo.ConfigurationArgs.ToArray() })
    : Host.CreateApplicationBuilder(demo.ConfigurationArgs.ToArray());
if (builder is WebApplicationBuilder web)
    web.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, demo.DashboardPort));   // never beyond this machine
ActorFeedOptions configured;                          // read to choose the server; DI binds its own copy
try
{
    configured = builder.Configuration.GetSection(ActorFeedOptions.SectionName).Get<ActorFeedOptions>() ?? new ActorFeedOptions();
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"error: {BindingError(e)}");
    return 2;
}
var hasCredentials = !string.IsNullOrEmpty(configured.AppKey) && !string.IsNullOrEmpty(configured.SecretKey);

KiwoomSimulator? simulator = null;
Action<ActorFeedOptions>? serverOptions = null;
switch (demo.Server)
{
    case null when hasCredentials && configured.WebSocketUrl is not null:
        break;                                                           // a compatible server named on the command line
    case null when configured.WebSocketUrl is not null || configured.RestBaseUrl is not null:
        Console.Error.WriteLine("error: --ActorFeed:WebSocketUrl / RestBaseUrl need ActorFeed:AppKey and ActorFeed:SecretKey as well");
        return 2;
    case null when demo.Cluster:
        Console.Error.WriteLine("error: --cluster-port needs a server the nodes share: start the simulator (dotnet run --project src/ActorFeed.Simulator) " +
            "and pass --ActorFeed:WebSocketUrl=... --ActorFeed:RestBaseUrl=... --ActorFeed:AppKey=... --ActorFeed:SecretKey=...");
        return 2;
    case null:
        simulator = await KiwoomSimulator.StartAsync(new SimulatorOptions());
        var sim = simulator;
        serverOptions = options =>
        {
            options.AppKey ??= "demo-app-key-simulated";
            options.SecretKey ??= "demo-secret-key-simulated";
            options.RestBaseUrl = sim.RestBaseUrl;
            options.WebSocketUrl = sim.WebSocketUrl;
            // demo timings, so that the fault tour takes seconds instead of minutes
            options.KeepAliveInterval ??= TimeSpan.FromSeconds(2);
            options.KeepAliveTimeout ??= TimeSpan.FromSeconds(2);
            options.IdleTimeout ??= TimeSpan.FromSeconds(4);
            options.BackoffMin ??= TimeSpan.FromMilliseconds(500);
            options.BackoffMax ??= TimeSpan.FromSeconds(5);
            options.BackoffResetAfter ??= TimeSpan.FromSeconds(5);
            options.PermanentFailureBackoff ??= TimeSpan.FromSeconds(5);
            options.MarketCalendar ??= "always";                      // the simulator trades around the clock
        };
        break;
    default:
        if (!hasCredentials)
        {
            Console.Error.WriteLine($"error: --{demo.Server} needs credentials: set ActorFeed__AppKey and ActorFeed__SecretKey (or --ActorFeed:AppKey=...)");
            return 2;
        }
        var host = demo.Server == "production" ? "api.kiwoom.com" : "mockapi.kiwoom.com";
        serverOptions = options =>
        {
            options.RestBaseUrl ??= new Uri($"https://{host}");
            options.WebSocketUrl ??= new Uri($"wss://{host}:10000/api/dostk/websocket");
        };
        break;
}

Log.Logger = new LoggerConfiguration()
    .MinimumLevel.Information()
    .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
    .WriteTo.Console(
        outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}",
        standardErrorFromLevel: demo.Json ? LogEventLevel.Verbose : null)
    .CreateLogger();

builder.Services.AddSerilog();
builder.Services.AddActorFeed(builder.Configuration);                  // the one copy of the options: in DI
if (serverOptions is not null) builder.Services.PostConfigure(serverOptions);
builder.Services.AddSingleton(demo);
builder.Services.AddSingleton(new DemoConsole(stdout));
if (simulator is not null) builder.Services.AddSingleton(simulator);
builder.Services.AddHostedService<DemoRunner>();
builder.Services.AddAkka("actorfeed-demo", (b, sp) =>
{
    b.ConfigureLoggers(l =>
    {
        l.ClearLoggers();
        l.AddLogger<SerilogLogger>();
    });
    if (demo.Cluster) DemoCluster.Configure(b, sp, demo);
    else b.WithActorFeed(sp);
});

try
{
    using var app = Build(builder);
    try
    {
        app.Services.GetRequiredService<IOptions<ActorFeedOptions>>().Value.ToSettings();   // bad options: one line, before any log
    }
    catch (ActorFeedSettingException e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
    if (simulator is not null)
        Log.Information("No credentials given: running against the built-in simulator at {Url}", simulator.WebSocketUrl);
    await app.StartAsync();
    if (app is WebApplication started) PrintDashboard(started, demo.Json, stdout);
    await app.WaitForShutdownAsync();
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
finally
{
    if (simulator is not null) await simulator.DisposeAsync();
    await Log.CloseAndFlushAsync();
}

static IHost Build(IHostApplicationBuilder builder)
{
    if (builder is not WebApplicationBuilder web) return ((HostApplicationBuilder)builder).Build();
    var app = web.Build();
    app.MapActorFeedDashboard("/actorfeed");
    return app;
}

static void PrintDashboard(WebApplication app, bool json, TextWriter stdout)
{
    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
    if (address is null) return;
    var url = $"{address.TrimEnd('/')}/actorfeed";
    stdout.WriteLine(json
        ? JsonSerializer.Serialize(new { @event = "dashboard", at = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), url })
        : $"Dashboard: {url}");
    stdout.Flush();
}

static string BindingError(InvalidOperationException e) =>
    $"{e.Message} (durations are hh:mm:ss, e.g. --ActorFeed:BackoffMax=00:00:10)";
