using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Actor;
using ActorFeed.Messages;

namespace ActorFeed.Cluster.Tests;

/// <summary>What a subscriber actor received, readable from the test thread: every tick's code and arrival time,
/// gaps, confirmations, rejections.</summary>
public sealed class Inbox
{
    public ConcurrentQueue<(string Code, long At)> Ticks { get; } = new();
    public ConcurrentQueue<SubscriptionGap> Gaps { get; } = new();
    /// <summary>When each gap notice arrived (Stopwatch timestamps), by code.</summary>
    public ConcurrentDictionary<string, long> GapArrivals { get; } = new();
    public ConcurrentDictionary<string, int> Confirmed { get; } = new();
    public ConcurrentQueue<SubscriptionRejected> Rejected { get; } = new();
    public ConcurrentQueue<object> Other { get; } = new();

    /// <summary>The codes of <paramref name="codes"/> that ticked after <paramref name="since"/> (a Stopwatch timestamp).</summary>
    public IReadOnlySet<string> TickedSince(long since) => Ticks.Where(t => t.At > since).Select(t => t.Code).ToHashSet();

    /// <summary>The longest silence of <paramref name="code"/> between <paramref name="from"/> and <paramref name="to"/>
    /// (timestamps), counting from <paramref name="from"/> to its first tick and from its last tick to <paramref name="to"/>.</summary>
    public TimeSpan LongestSilence(string code, long from, long to)
    {
        var times = Ticks.Where(t => t.Code == code && t.At >= from && t.At <= to).Select(t => t.At).Order().ToList();
        var longest = TimeSpan.Zero;
        var previous = from;
        foreach (var at in times.Append(to))
        {
            var silence = Stopwatch.GetElapsedTime(previous, at);
            if (silence > longest) longest = silence;
            previous = at;
        }
        return longest;
    }
}

/// <summary>A subscriber that writes everything it gets into an <see cref="Inbox"/>.</summary>
public sealed class Subscriber : ReceiveActor
{
    public Subscriber(Inbox inbox)
    {
        Receive<Tick>(t => inbox.Ticks.Enqueue((t.Code, Stopwatch.GetTimestamp())));
        Receive<SubscriptionGap>(g =>
        {
            inbox.GapArrivals[g.Code] = Stopwatch.GetTimestamp();
            inbox.Gaps.Enqueue(g);
        });
        Receive<SubscriptionConfirmed>(c => inbox.Confirmed.AddOrUpdate(c.Code, 1, (_, n) => n + 1));
        Receive<SubscriptionRejected>(r => inbox.Rejected.Enqueue(r));
        ReceiveAny(m => inbox.Other.Enqueue(m));
    }

    public static Props Props(Inbox inbox) => Akka.Actor.Props.Create(() => new Subscriber(inbox));
}
