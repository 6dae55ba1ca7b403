using System.Diagnostics;
using Akka.Actor;
using ActorFeed.Messages;

namespace ActorFeed.IntegrationTests.Support;

/// <summary>A subscriber that remembers when each code last ticked and which codes were confirmed, and answers
/// <see cref="AwaitAll"/> once every listed code has ticked after the given moment (<see cref="AwaitConfirmed"/>: once
/// every listed code is confirmed). Each tick costs one dictionary write; a waiter is checked against the codes it
/// still misses, not all of them. As a condition's subscriber it passes every condition message on to
/// <c>conditions</c> (a probe), in order.</summary>
public sealed class TickCollector : ReceiveActor
{
    private readonly Dictionary<string, long> _last = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _confirmed = new(StringComparer.Ordinal);
    private readonly List<Waiter> _waiting = [];
    private readonly List<(HashSet<string> Missing, IActorRef ReplyTo)> _waitingConfirmed = [];
    private long _ticks;
    private long _lastAny, _lastBeforeSilence;
    private static readonly TimeSpan SilenceGap = TimeSpan.FromSeconds(1);

    public TickCollector() : this(null) { }

    public TickCollector(IActorRef? conditions)
    {
        Receive<Tick>(t =>
        {
            _ticks++;
            _counts[t.Code] = _counts.GetValueOrDefault(t.Code) + 1;
            var now = Stopwatch.GetTimestamp();
            if (_lastAny != 0 && Stopwatch.GetElapsedTime(_lastAny, now) > SilenceGap) _lastBeforeSilence = _lastAny;
            _lastAny = now;
            _last[t.Code] = now;
            for (var i = _waiting.Count - 1; i >= 0; i--)
            {
                var w = _waiting[i];
                if (now > w.Since && w.Missing.Remove(t.Code) && w.Missing.Count == 0)
                {
                    w.ReplyTo.Tell(new AllTicked(Stopwatch.GetElapsedTime(w.Since)));
                    _waiting.RemoveAt(i);
                }
            }
        });
        Receive<AwaitAll>(a =>
        {
            var missing = a.Codes.Where(c => !(_last.TryGetValue(c, out var at) && at > a.SinceTimestamp)).ToHashSet(StringComparer.Ordinal);
            if (missing.Count == 0) Sender.Tell(new AllTicked(Stopwatch.GetElapsedTime(a.SinceTimestamp)));
            else _waiting.Add(new Waiter(missing, a.SinceTimestamp, Sender));
        });
        Receive<AwaitConfirmed>(a =>
        {
            var missing = a.Codes.Where(c => !_confirmed.Contains(c)).ToHashSet(StringComparer.Ordinal);
            if (missing.Count == 0) Sender.Tell(AllConfirmed.Instance);
            else _waitingConfirmed.Add((missing, Sender));
        });
        Receive<GetCount>(_ => Sender.Tell(_ticks));
        Receive<GetCodeCount>(g => Sender.Tell(_counts.GetValueOrDefault(g.Code)));
        Receive<ConditionEvent>(e => conditions?.Tell(e));
        Receive<ConditionRejected>(r => conditions?.Tell(r));
        Receive<ConditionUnsubscribed>(u => conditions?.Tell(u));
        Receive<GetLastBeforeSilence>(_ =>
        {
            var now = Stopwatch.GetTimestamp();
            Sender.Tell(Stopwatch.GetElapsedTime(_lastAny, now) > SilenceGap ? _lastAny : _lastBeforeSilence);
        });
        Receive<SubscriptionConfirmed>(c =>
        {
            _confirmed.Add(c.Code);
            for (var i = _waitingConfirmed.Count - 1; i >= 0; i--)
            {
                var (missing, replyTo) = _waitingConfirmed[i];
                if (missing.Remove(c.Code) && missing.Count == 0)
                {
                    replyTo.Tell(AllConfirmed.Instance);
                    _waitingConfirmed.RemoveAt(i);
                }
            }
        });
        Receive<SubscriptionRejected>(r => Context.System.EventStream.Publish(r));
    }

    public static Props Props() => Akka.Actor.Props.Create(() => new TickCollector(null));

    /// <summary>A collector that also passes every condition message it gets on to <paramref name="conditions"/>.</summary>
    public static Props Props(IActorRef conditions) => Akka.Actor.Props.Create(() => new TickCollector(conditions));

    /// <summary>Reply <see cref="AllTicked"/> when every code ticked after <paramref name="SinceTimestamp"/> (Stopwatch ticks).</summary>
    public sealed record AwaitAll(IReadOnlyCollection<string> Codes, long SinceTimestamp);
    public sealed record AllTicked(TimeSpan After);
    /// <summary>Reply <see cref="AllConfirmed"/> when every code has been confirmed.</summary>
    public sealed record AwaitConfirmed(IReadOnlyCollection<string> Codes);
    public sealed class AllConfirmed { public static readonly AllConfirmed Instance = new(); }
    private sealed record Waiter(HashSet<string> Missing, long Since, IActorRef ReplyTo);
    public sealed class GetCount { public static readonly GetCount Instance = new(); }
    /// <summary>Reply: how many ticks of <paramref name="Code"/> came (a long).</summary>
    public sealed record GetCodeCount(string Code);
    /// <summary>Reply: the Stopwatch timestamp of the last tick before the latest silence of over a second (the one now,
    /// or the last one that ticks ended).</summary>
    public sealed class GetLastBeforeSilence { public static readonly GetLastBeforeSilence Instance = new(); }
}
