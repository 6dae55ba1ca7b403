using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using ActorFeed.Diagnostics;
using ActorFeed.Messages;
using ActorFeed.Settings;

namespace ActorFeed.Benchmarks;

/// <summary>
/// <c>--only slow</c>: one subscriber actor that takes 10 ms per tick (100 ticks/s) under 5,000 ticks/s of 50 codes
/// (in-memory transport, frames of 10 entries), for 60 s (10 s with --quick), once with
/// <c>max-pending-ticks</c> as set (the default unless <c>--max-pending N</c>) and once unbounded (0). Every 5 s it
/// prints the managed heap (after a full GC), the working set, the subscriber's mailbox, ticks received and dropped.
/// </summary>
internal static class SlowSubscriber
{
    private const int Codes = 50;
    private const double TicksPerSecond = 5_000;
    private static readonly TimeSpan PerTick = TimeSpan.FromMilliseconds(10);

    public static async Task<List<string>> RunAsync(ActorFeedSettings baseline, TimeSpan duration)
    {
        var lines = new List<string>();
        foreach (var limit in baseline.MaxPendingTicks > 0 ? new[] { baseline.MaxPendingTicks, 0 } : [0])
        {
            lines.Add("");
            lines.Add($"max-pending-ticks = {limit}{(limit == 0 ? " (unbounded)" : "")}: a subscriber at {1 / PerTick.TotalSeconds:N0} ticks/s, {TicksPerSecond:N0} ticks/s offered, {duration.TotalSeconds:N0} s");
            lines.Add("");
            lines.Add("| at | offered | received | dropped | mailbox | managed heap | working set |");
            lines.Add("|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var row in await OneAsync(baseline with { MaxPendingTicks = limit }, duration))
            {
                lines.Add(row);
                Console.Error.WriteLine("  " + row);
            }
        }
        return lines;
    }

    private static async Task<List<string>> OneAsync(ActorFeedSettings baseline, TimeSpan duration)
    {
        var loop = new LoopbackServer();
        var system = ActorSystem.Create("bench-slow", ConfigurationFactory.ParseString("akka.loglevel = WARNING\nakka.log-dead-letters = off"));
        var settings = baseline with { AppKey = "bench-app-key-0001", SecretKey = "bench-secret-key-0001" };
        var feed = Feed.Start(system, settings, new FeedDependencies(new Scale.StaticTokens(), loop, TimeProvider.System));
        await Wait.Until(() => feed.Ask<FeedStatus>(GetFeedStatus.Instance).Result.State == FeedState.Connected, TimeSpan.FromSeconds(10));

        var feedTag = $"{system.Name}/{Feed.DefaultName}";
        long dropped = 0;
        using var meter = new MeterListener();
        meter.InstrumentPublished = (i, l) => { if (i.Meter.Name == FeedMetrics.MeterName && i.Name == "actorfeed.ticks.dropped") l.EnableMeasurementEvents(i); };
        meter.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "feed" && (string?)tag.Value == feedTag) Interlocked.Add(ref dropped, value);
        });
        meter.Start();

        var codes = Enumerable.Range(0, Codes).Select(i => (500000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        long received = 0, confirmed = 0;
        var subscriber = system.ActorOf(Props.Create(() => new Slow(() => Interlocked.Increment(ref received), () => Interlocked.Increment(ref confirmed))));
        foreach (var c in codes) feed.Tell(new Subscribe(c, "0B", subscriber));
        await Wait.Until(() => Interlocked.Read(ref confirmed) == Codes, TimeSpan.FromSeconds(10));

        var frames = Enumerable.Range(0, Codes / 10).Select(k => Frames.Real(codes.Skip(k * 10).Take(10).ToArray())).ToArray();
        var rows = new List<string>();
        var sw = Stopwatch.StartNew();
        long offered = 0;
        var nextReport = TimeSpan.FromSeconds(5);
        while (sw.Elapsed < duration + TimeSpan.FromMilliseconds(100))
        {
            var due = (long)(sw.Elapsed.TotalSeconds * TicksPerSecond);
            for (; offered + 10 <= due; offered += 10) loop.Current!.Push(frames[(offered / 10) % frames.Length]);
            if (sw.Elapsed >= nextReport)
            {
                var mailbox = ((ActorRefWithCell)subscriber).Underlying.NumberOfMessages;
                var heap = GC.GetTotalMemory(forceFullCollection: true);
                rows.Add($"| {nextReport.TotalSeconds:N0} s | {offered:N0} | {Interlocked.Read(ref received):N0} | {Interlocked.Read(ref dropped):N0} | {mailbox:N0} | {heap / 1048576.0:N1} MB | {Environment.WorkingSet / 1048576.0:N0} MB |");
                Console.Error.WriteLine("  " + rows[^1]);
                nextReport += TimeSpan.FromSeconds(5);
            }
            await Task.Delay(2);
        }
        meter.Dispose();
        await system.Terminate();
        return rows;
    }

    private sealed class Slow : ReceiveActor
    {
        public Slow(Action onTick, Action onConfirmed)
        {
            Receive<Tick>(_ =>
            {
                Thread.Sleep(PerTick);          // the slow consumer under test: 10 ms of work per tick
                onTick();
            });
            Receive<SubscriptionConfirmed>(_ => onConfirmed());
            ReceiveAny(_ => { });
        }
    }
}
