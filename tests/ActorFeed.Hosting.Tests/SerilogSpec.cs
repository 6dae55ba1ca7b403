using System.Collections.Concurrent;
using Akka.Hosting;
using Akka.Logger.Serilog;
using ActorFeed.Simulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace ActorFeed.Hosting.Tests;

/// <summary>Supervision decisions reach the host's Serilog as structured events (Akka.Logger.Serilog), with no secret in them.</summary>
public sealed class SerilogSpec
{
    private const string AppKey = "serilog-app-key-0123456789";
    private const string SecretKey = "serilog-secret-key-0123456789";

    [Fact]
    public async Task Supervision_decisions_must_reach_Serilog_with_structured_properties_and_no_secrets()
    {
        await using var sim = await KiwoomSimulator.StartAsync(new SimulatorOptions { TicksPerSecondPerItem = 20 });
        var sink = new CollectingSink();
        var logger = new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(sink).CreateLogger();
        var previous = Log.Logger;
        Log.Logger = logger;                     // Akka.Logger.Serilog's SerilogLogger writes to the static logger
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSerilog(logger, dispose: true);
        var options = new ActorFeedOptions
        {
            AppKey = AppKey, SecretKey = SecretKey, RestBaseUrl = sim.RestBaseUrl, WebSocketUrl = sim.WebSocketUrl,
            BackoffMin = TimeSpan.FromMilliseconds(50),
        };
        builder.Services.AddActorFeed(builder.Configuration);
        builder.Services.AddAkka("serilog-test", (b, _) => b
            .ConfigureLoggers(l =>
            {
                l.ClearLoggers();
                l.AddLogger<SerilogLogger>();
            })
            .WithActorFeed(options));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            await sink.WaitFor(e => e.RenderMessage().StartsWith("Connected to"), TimeSpan.FromSeconds(15));
            sim.DropAllSessions(DropMode.InternalError);
            var decision = await sink.WaitFor(e => e.MessageTemplate.Text.StartsWith("Supervision: {Component} failed"), TimeSpan.FromSeconds(15));
            Assert.Equal(LogEventLevel.Warning, decision.Level);
            Assert.Equal("connection", Scalar(decision, "Component"));
            Assert.Equal("server closed the connection", Scalar(decision, "Cause"));
            Assert.Equal(1, Convert.ToInt32(Scalar(decision, "Attempt")));
            Assert.True(decision.Properties.ContainsKey("Delay"));
            await sink.WaitFor(e => e.RenderMessage().StartsWith("Feed Connected"), TimeSpan.FromSeconds(15), after: decision);
        }
        finally
        {
            await host.StopAsync();
            Log.Logger = previous;               // a static: leave it as found for the test classes that run in parallel
        }
        foreach (var e in sink.Events)
        {
            var text = e.RenderMessage() + string.Join(' ', e.Properties.Values.Select(v => v.ToString())) + e.Exception;
            Assert.DoesNotContain(AppKey, text);
            Assert.DoesNotContain(SecretKey, text);
        }
    }

    private static object? Scalar(LogEvent e, string name) =>
        e.Properties.TryGetValue(name, out var v) && v is ScalarValue s ? s.Value : null;

    private sealed class CollectingSink : ILogEventSink
    {
        private readonly object _gate = new();
        private readonly List<LogEvent> _events = [];
        private readonly List<(Func<LogEvent, bool> Match, int From, TaskCompletionSource<LogEvent> Done)> _waiters = [];

        public IReadOnlyList<LogEvent> Events { get { lock (_gate) return _events.ToList(); } }

        public void Emit(LogEvent logEvent)
        {
            lock (_gate)
            {
                _events.Add(logEvent);
                foreach (var w in _waiters.ToList())
                    if (w.Match(logEvent)) { w.Done.TrySetResult(logEvent); _waiters.Remove(w); }
            }
        }

        public Task<LogEvent> WaitFor(Func<LogEvent, bool> match, TimeSpan timeout, LogEvent? after = null)
        {
            var done = new TaskCompletionSource<LogEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                var from = after is null ? 0 : _events.IndexOf(after) + 1;
                var hit = _events.Skip(from).FirstOrDefault(match);
                if (hit is not null) done.TrySetResult(hit);
                else _waiters.Add((match, from, done));
            }
            return done.Task.WaitAsync(timeout);
        }
    }
}
