using System.Threading.Channels;
using Akka.Actor;
using ActorFeed.Messages;

namespace ActorFeed.Hosting;

/// <summary>
/// One condition search (조건검색) followed in real time, for code that does not use actors: enumerate it with
/// <c>await foreach</c>. It yields a <see cref="ConditionSnapshot"/> first, then a <see cref="ConditionEntered"/> or
/// <see cref="ConditionLeft"/> per change (<c>Recovered</c> for the changes found after a reconnection), so that
/// applying the events in order always gives the condition's members on the server. The events are few (membership
/// changes) and none may be lost, so the buffer is unbounded. Dispose to unsubscribe (the last subscriber of a
/// condition leaving clears its real-time search on the server).
/// The enumeration ends by itself in two cases: cleanly when the feed stops (<see cref="EndReason"/> is
/// <see cref="FeedStoppedReason"/>), and with an <see cref="InvalidOperationException"/> carrying the reason when the
/// condition is rejected (unknown seq, the real-time limit, the server's refusal: <see cref="EndReason"/> has it too).
/// </summary>
public sealed class ConditionStream : IAsyncEnumerable<ConditionEvent>, IAsyncDisposable
{
    /// <summary>The <see cref="EndReason"/> when the feed stopped.</summary>
    public const string FeedStoppedReason = "the feed stopped";

    private readonly Channel<ConditionEvent> _channel = Channel.CreateUnbounded<ConditionEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly IActorRef _bridge;
    private volatile string? _endReason;
    private int _ended;                      // 1 once ended (by itself or disposed): the first end wins

    internal ConditionStream(ActorSystem system, IActorRef feed, int seq)
    {
        Seq = seq;
        _bridge = system.ActorOf(Props.Create(() => new Bridge(this, feed, seq)));
    }

    /// <summary>Follows condition <paramref name="seq"/> without DI: <paramref name="feed"/> is the FeedSupervisor (e.g. from <c>Feed.Start</c>).</summary>
    public static ConditionStream Watch(ActorSystem system, IActorRef feed, int seq)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(feed);
        return new ConditionStream(system, feed, seq);
    }

    /// <summary>The condition's seq.</summary>
    public int Seq { get; }

    /// <summary>Why the stream ended by itself: the rejection's reason, or <see cref="FeedStoppedReason"/>; null while it runs
    /// (and after <see cref="DisposeAsync"/>).</summary>
    public string? EndReason => _endReason;

    /// <summary>Enumerates the events as they arrive. Ends when the stream is disposed or the feed stops; throws
    /// <see cref="InvalidOperationException"/> when the condition is rejected.</summary>
    public IAsyncEnumerator<ConditionEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        _channel.Reader.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    /// <summary>Reads one event (for callers that do not enumerate); throws <see cref="ChannelClosedException"/> once the stream has ended.</summary>
    public ValueTask<ConditionEvent> ReadAsync(CancellationToken cancellationToken = default) => _channel.Reader.ReadAsync(cancellationToken);

    /// <summary>Unsubscribes (stops the bridge actor, which the feed death-watches) and completes the enumeration.</summary>
    public ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _ended, 1);
        _bridge.Tell(PoisonPill.Instance);
        _channel.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    /// <summary>Ends the stream unless it has ended already.</summary>
    private void End(string reason, Exception? error)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1) return;
        _endReason = reason;
        _channel.Writer.TryComplete(error);
    }

    private sealed class Bridge : ReceiveActor
    {
        private readonly ConditionStream _stream;

        public Bridge(ConditionStream stream, IActorRef feed, int seq)
        {
            _stream = stream;
            Receive<ConditionEvent>(e => stream._channel.Writer.TryWrite(e));
            Receive<ConditionRejected>(r =>
            {
                stream.End(r.Reason, new InvalidOperationException($"Condition {seq} was rejected: {r.Reason}"));
                Context.Stop(Self);
            });
            Receive<ConditionUnsubscribed>(_ => { });
            Receive<Terminated>(t => t.ActorRef.Equals(feed), _ =>
            {
                stream.End(FeedStoppedReason, null);
                Context.Stop(Self);
            });
            Context.Watch(feed);
            feed.Tell(new SubscribeCondition(seq, Self));
        }

        // Stopped without the feed's Terminated (the actor system shut down first, or the stream was disposed): nothing
        // can come any more either, so the stream ends the same way.
        protected override void PostStop() => _stream.End(FeedStoppedReason, null);
    }
}
