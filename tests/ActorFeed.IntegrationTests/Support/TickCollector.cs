using System.Diagnostics;
using Akka.Actor;
using ActorFeed.Messages;

namespace ActorFeed.IntegrationTests.Support;

/// <summary>A subscriber that remembers when each code last ticked and answers <see cref="AwaitAll"/> once every
/// listed code has ticked after the given moment.</summary>
public sealed class TickCollector : ReceiveActor
{
    private readonly Dictionary<string, long> _last = new(StringComparer.Ordinal);
    private readonly List<(AwaitAll Request, IActorRef ReplyTo)> _waiting = [];
    private long _ticks;

    public TickCollector()
    {
        Receive<Tick>(t =>
        {
            _ticks++;
            _last[t.Code] = Stopwatch.GetTimestamp();
            if (_waiting.Count > 0) Check();
        });
        Receive<AwaitAll>(a =>
        {
            _waiting.Add((a, Sender));
            Check();
        });
        Receive<GetCount>(_ => Sender.Tell(_ticks));
        Receive<SubscriptionConfirmed>(_ => { });
        Receive<SubscriptionRejected>(r => Context.System.EventStream.Publish(r));
    }

    public static Props Props() => Akka.Actor.Props.Create<TickCollector>();

    private void Check()
    {
        for (var i = _waiting.Count - 1; i >= 0; i--)
        {
            var (req, replyTo) = _waiting[i];
            if (req.Codes.All(c => _last.TryGetValue(c, out var at) && at > req.SinceTimestamp))
            {
                replyTo.Tell(new AllTicked(Stopwatch.GetElapsedTime(req.SinceTimestamp)));
                _waiting.RemoveAt(i);
            }
        }
    }

    /// <summary>Reply <see cref="AllTicked"/> when every code ticked after <paramref name="SinceTimestamp"/> (Stopwatch ticks).</summary>
    public sealed record AwaitAll(IReadOnlyCollection<string> Codes, long SinceTimestamp);
    public sealed record AllTicked(TimeSpan After);
    public sealed class GetCount { public static readonly GetCount Instance = new(); }
}
