using Akka.Actor;
using ActorFeed.Messages;

namespace ActorFeed.Cluster;

/// <summary>
/// On the session's node, the local stand-in of a remote node's agent: the feed's subscriber for that agent's pairs.
/// Ticks are sent on in batches (<see cref="ClusterProtocol.TickBatch"/>) that grow with the load and cost no delay:
/// the first tick of a batch schedules a flush behind everything already in the mailbox, so at low rates a batch is one
/// tick and at high rates one remote message carries many (Akka.Remote's cost is per message). Every other message
/// (gap notice, confirmation, rejection) flushes the batch first, so the order is kept: a gap still comes right before
/// the first tick after it. Being local, its mailbox is what the feed's slow-subscriber limit measures. Stops when its
/// agent is gone (the feed, watching it, then drops its pairs). Everything goes out with the singleton (its parent) as
/// sender: the agent tells the current session's ticks from those of an older one by it.
/// </summary>
internal sealed class TickRelay : ReceiveActor
{
    /// <summary>At most this many ticks in one remote message.</summary>
    public const int MaxBatch = 256;

    private readonly IActorRef _agent;
    private readonly IActorRef _singleton;
    private List<Tick> _batch = new(16);
    private bool _flushPending;

    private sealed class Flush
    {
        public static readonly Flush Instance = new();
        private Flush() { }
    }

    public TickRelay(IActorRef agent)
    {
        _agent = agent;
        _singleton = Context.Parent;
        Receive<Tick>(t =>
        {
            _batch.Add(t);
            if (_batch.Count >= MaxBatch) SendBatch();
            else if (!_flushPending)
            {
                _flushPending = true;
                Self.Tell(Flush.Instance);
            }
        });
        Receive<Flush>(_ =>
        {
            _flushPending = false;
            SendBatch();
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_agent), _ => Context.Stop(Self));
        ReceiveAny(m =>
        {
            SendBatch();
            _agent.Tell(m, _singleton);
        });
    }

    public static Props Props(IActorRef agent) => Akka.Actor.Props.Create(() => new TickRelay(agent));

    protected override void PreStart() => Context.Watch(_agent);

    private void SendBatch()
    {
        if (_batch.Count == 0) return;
        _agent.Tell(new ClusterProtocol.TickBatch([.. _batch]), _singleton);
        _batch.Clear();
    }
}
