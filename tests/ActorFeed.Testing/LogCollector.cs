using Akka.Actor;
using Akka.Event;
using Akka.TestKit;

namespace ActorFeed.Testing;

/// <summary>
/// Keeps every log line of an actor system. Lines arrive asynchronously (the EventStream tells an actor), so read
/// them with <see cref="Snapshot"/>: it first publishes a marker and waits until the collector has seen it, so every
/// line logged before the call (by a thread whose effects the test has observed) is in the list.
/// </summary>
public sealed class LogCollector
{
    private readonly List<string> _lines = [];
    private readonly ActorSystem _system;
    private readonly IActorRef _actor;

    /// <summary>Starts collecting the log of <paramref name="system"/>.</summary>
    public LogCollector(ActorSystem system)
    {
        _system = system;
        _actor = system.ActorOf(Props.Create(() => new Collector(_lines)), "log-collector-" + Guid.NewGuid().ToString("N")[..6]);
        system.EventStream.Subscribe(_actor, typeof(LogEvent));
    }

    /// <summary>Every line logged so far, after a flush.</summary>
    public IReadOnlyList<string> Snapshot(TestKitBase testKit)
    {
        var marker = "log-flush-" + Guid.NewGuid().ToString("N");
        _system.EventStream.Publish(new Info("test", typeof(LogCollector), marker));
        testKit.AwaitCondition(() => { lock (_lines) return _lines.Any(l => l.Contains(marker, StringComparison.Ordinal)); }, TimeSpan.FromSeconds(5));
        lock (_lines) return _lines.Where(l => !l.Contains("log-flush-", StringComparison.Ordinal)).ToList();
    }

    /// <summary>Asserts that some lines were logged and none contains any of <paramref name="secrets"/>.</summary>
    public void AssertNoneContains(TestKitBase testKit, params string[] secrets)
    {
        var lines = Snapshot(testKit);
        Assert.NotEmpty(lines);
        foreach (var line in lines)
            foreach (var s in secrets)
                Assert.DoesNotContain(s, line);
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(List<string> sink) => Receive<LogEvent>(e =>
        {
            lock (sink) sink.Add($"{e.LogLevel()} {e}");
        });
    }
}
