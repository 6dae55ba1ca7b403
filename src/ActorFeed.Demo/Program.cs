using Akka.Hosting;
using Akka.Logger.Serilog;
using ActorFeed.Demo;
using ActorFeed.Hosting;
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

var builder = Host.CreateApplicationBuilder(demo.ConfigurationArgs.ToArray());
var options = new ActorFeedOptions();
try
{
    builder.Configuration.GetSection(ActorFeedOptions.SectionName).Bind(options);
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"error: {e.Message} (durations are hh:mm:ss, e.g. --ActorFeed:BackoffMax=00:00:10)");
    return 2;
}
var hasCredentials = !string.IsNullOrEmpty(options.AppKey) && !string.IsNullOrEmpty(options.SecretKey);

KiwoomSimulator? simulator = null;
switch (demo.Server)
{
    case null when hasCredentials && options.WebSocketUrl is not null:
        break;                                                           // a compatible server named on the command line
    case null when options.WebSocketUrl is not null || options.RestBaseUrl is not null:
        Console.Error.WriteLine("error: --ActorFeed:WebSocketUrl / RestBaseUrl need ActorFeed:AppKey and ActorFeed:SecretKey as well");
        return 2;
    case null:
        simulator = await KiwoomSimulator.StartAsync(new SimulatorOptions());
        options.AppKey ??= "demo-app-key-simulated";
        options.SecretKey ??= "demo-secret-key-simulated";
        options.RestBaseUrl = simulator.RestBaseUrl;
        options.WebSocketUrl = simulator.WebSocketUrl;
        // demo timings, so that the fault tour takes seconds instead of minutes
        options.KeepAliveInterval ??= TimeSpan.FromSeconds(2);
        options.KeepAliveTimeout ??= TimeSpan.FromSeconds(2);
        options.IdleTimeout ??= TimeSpan.FromSeconds(4);
        options.BackoffMin ??= TimeSpan.FromMilliseconds(500);
        options.BackoffMax ??= TimeSpan.FromSeconds(5);
        options.BackoffResetAfter ??= TimeSpan.FromSeconds(5);
        options.PermanentFailureBackoff ??= TimeSpan.FromSeconds(5);
        break;
    default:
        if (!hasCredentials)
        {
            Console.Error.WriteLine($"error: --{demo.Server} needs credentials: set ActorFeed__AppKey and ActorFeed__SecretKey (or --ActorFeed:AppKey=... --ActorFeed:SecretKey=...)");
            return 2;
        }
        var host = demo.Server == "production" ? "api.kiwoom.com" : "mockapi.kiwoom.com";
        options.RestBaseUrl ??= new Uri($"https://{host}");
        options.WebSocketUrl ??= new Uri($"wss://{host}:10000/api/dostk/websocket");
        break;
}

try
{
    options.ToSettings();
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    if (simulator is not null) await simulator.DisposeAsync();
    return 2;
}

Log.Logger = new LoggerConfiguration()
    .MinimumLevel.Information()
    .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
    .WriteTo.Console(
        outputTemplate: "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {Message:lj}{NewLine}{Exception}",
        standardErrorFromLevel: demo.Json ? LogEventLevel.Verbose : null)
    .CreateLogger();

builder.Services.AddSerilog();
builder.Services.AddActorFeed(builder.Configuration);
builder.Services.AddSingleton<IOptions<ActorFeedOptions>>(Options.Create(options));
builder.Services.AddSingleton(demo);
if (simulator is not null) builder.Services.AddSingleton(simulator);
builder.Services.AddHostedService<DemoRunner>();
builder.Services.AddAkka("actorfeed-demo", (b, _) => b
    .ConfigureLoggers(l =>
    {
        l.ClearLoggers();
        l.AddLogger<SerilogLogger>();
    })
    .WithActorFeed(options));

try
{
    using var app = builder.Build();
    if (simulator is not null)
        Log.Information("No credentials given: running against the built-in simulator at {Url}", simulator.WebSocketUrl);
    await app.RunAsync();
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
