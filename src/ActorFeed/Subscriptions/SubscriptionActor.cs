using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Event;
using ActorFeed.Diagnostics;
using ActorFeed.Messages;
using static ActorFeed.Subscriptions.SubscriptionProtocol;

namespace ActorFeed.Subscriptions;

/// <summary>
/// The desired state of one instrument code: which types, and who subscribed to each (ref-counted; subscribers
/// are death-watched). Tells the feed when a type gains its first subscriber (REG) or loses its last (REMOVE),
/// publishes who gets the ticks to its <see cref="TickRoute"/> (the connection delivers them from there), and
/// reports <see cref="Idle"/> when nothing is left so that the feed can stop it.
/// It takes requests only as the feed forwards them, validated (<see cref="AddSubscriber"/>, <see cref="RemoveSubscriber"/>):
/// its ref reaches every subscriber (it is the sender of their ticks), and a <see cref="Subscribe"/> or
/// <see cref="Unsubscribe"/> sent here directly is ignored with a warning. A subscriber whose ref throws on
/// <c>Tell</c> does not keep the others from being told. Should it fail anyway, the FeedSupervisor resumes it with
/// its state (and logs an error). Its <see cref="TickRoute"/> tells the subscribers a <see cref="SubscriptionGap"/> after an
/// interruption and a copy here, which is logged.
/// <para>
/// Holds: a subscriber gets a type's ticks while anyone holds that pair for it: the host (its own <c>Subscribe</c>,
/// idempotent: a second one is a no-op, one <c>Unsubscribe</c> releases it) or a condition that drives ticks (holder
/// "condition:N", one hold per member). Each holder releases only its own hold, so a condition releasing a code never
/// removes the host's own subscription of the same subscriber, nor the other way round. The holds are kept only once a
/// holder other than the host appears (most codes never see one); a subscriber that dies loses every hold.
/// </para>
/// </summary>
internal sealed class SubscriptionActor : ReceiveActor
{
    private readonly string _code;
    private readonly string _metricTag;
    private readonly TickRoute _route;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, HashSet<IActorRef>> _subscribers = new(StringComparer.Ordinal);
    private readonly List<string> _confirmed = new(1);   // a code has one or two types: a list is smaller than a set
    private Dictionary<(string Type, IActorRef Subscriber), HashSet<string>>? _holds;   // null: every subscriber is held by the host alone
    private StrongBox<long>? _staleness;
    private long _handled;

    public SubscriptionActor(string code, string metricTag, TickRoute route)
    {
        _code = code;
        _metricTag = metricTag;
        _route = route;
        Receive<AddSubscriber>(OnSubscribe);
        Receive<RemoveSubscriber>(OnUnsubscribe);
        Receive<Subscribe>(m => IgnoreDirect(m.Code, m.Type, nameof(Subscribe)));
        Receive<Unsubscribe>(m => IgnoreDirect(m.Code, m.Type, nameof(Unsubscribe)));
        Receive<Terminated>(t => OnSubscriberGone(t.ActorRef));
        Receive<TypeConfirmed>(OnConfirmed);
        Receive<TypeRejected>(OnRejected);
        Receive<SubscriptionGap>(g => _log.Info("Gap in {Code}/{Type} from {From:O} to {To:O} ({Cause}); missed volume {MissedVolume}",
            g.Code, g.Type, g.From, g.To, g.Cause, g.MissedVolume?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"));
    }

    public static Props Props(string code, string metricTag, TickRoute route) => Akka.Actor.Props.Create<SubscriptionActor>(code, metricTag, route)   // no expression tree: 10,000s are made
            .WithMailbox(CompactMailbox.ConfigPath);

    protected override void PreStart() => _route.LastTick = _staleness = FeedMetrics.TrackStaleness(_metricTag, _code);

    protected override void PostStop()
    {
        _subscribers.Clear();
        _route.Publish(_subscribers, Self);
        if (_staleness is not null) FeedMetrics.UntrackStaleness(_metricTag, _code, _staleness);
    }

    /// <summary>Makes the current subscriber sets the ones ticks go to. Called before any reply about a change.</summary>
    private void Publish() => _route.Publish(_subscribers, Self);

    private const string Host = "";

    private void OnSubscribe(AddSubscriber m)
    {
        _handled++;
        var subscriber = m.Subscriber;
        var holder = m.Holder ?? Host;
        if (_holds is null && holder != Host)
        {
            _holds = [];
            foreach (var (type, members) in _subscribers)
                foreach (var member in members) _holds[(type, member)] = [Host];
        }
        if (_holds is not null)
        {
            if (!_holds.TryGetValue((m.Type, subscriber), out var holders)) _holds[(m.Type, subscriber)] = holders = [];
            holders.Add(holder);
        }
        _subscribers.TryGetValue(m.Type, out var set);
        if (set?.Contains(subscriber) != true && !IsSubscribedElsewhere(subscriber, m.Type)) Context.Watch(subscriber);
        if (set is null)
        {
            _subscribers[m.Type] = set = [];
            Context.Parent.Tell(new TypeWanted(_code, m.Type));
        }
        // the host's choice of batches lives in the route's TickTarget (kept across snapshots): no field here for it
        if (set.Add(subscriber) || m.Batched is not null)
            _route.Publish(_subscribers, Self, m.Batched is { } batched ? (m.Type, subscriber, batched) : null);
        if (_confirmed.Contains(m.Type)) TellSafely(subscriber, new SubscriptionConfirmed(_code, m.Type));
    }

    private void OnUnsubscribe(RemoveSubscriber m)
    {
        _handled++;
        var subscriber = m.Subscriber;
        var holder = m.Holder ?? Host;
        if (_holds is not null && _holds.TryGetValue((m.Type, subscriber), out var holders))
        {
            holders.Remove(holder);
            if (holders.Count > 0)
            {
                // still held by another holder: the ticks go on; the host's own Unsubscribe is answered as always
                if (holder == Host) TellSafely(subscriber, new SubscriptionRemoved(_code, m.Type));
                return;
            }
            _holds.Remove((m.Type, subscriber));
        }
        else if (holder != Host)
        {
            ReportIfIdle();                                 // a release of a hold that is not there (already gone): nothing changes
            return;
        }
        Remove(subscriber, m.Type);
        Publish();
        if (!IsSubscribedElsewhere(subscriber, null)) Context.Unwatch(subscriber);
        TellSafely(subscriber, new SubscriptionRemoved(_code, m.Type));
        ReportIfIdle();
    }

    private void IgnoreDirect(string? code, string? type, string what) =>
        _log.Warning("{Request} {Code}/{Type} sent to the subscription actor of '{OwnCode}' directly: ignored, send it to the feed",
            what, code, type, _code);

    private void OnSubscriberGone(IActorRef subscriber)
    {
        foreach (var type in _subscribers.Keys.ToList()) Remove(subscriber, type);
        Publish();
        ReportIfIdle();
    }

    private void OnConfirmed(TypeConfirmed m)
    {
        if (!_subscribers.TryGetValue(m.Type, out var set) || _confirmed.Contains(m.Type)) return; // replays confirm silently
        _confirmed.Add(m.Type);
        foreach (var s in set) TellSafely(s, new SubscriptionConfirmed(_code, m.Type));
    }

    private void OnRejected(TypeRejected m)
    {
        if (!_subscribers.Remove(m.Type, out var set)) return;
        _confirmed.Remove(m.Type);
        foreach (var s in set) _holds?.Remove((m.Type, s));
        Publish();
        foreach (var s in set)
        {
            TellSafely(s, new SubscriptionRejected(_code, m.Type, m.Reason));
            if (!IsSubscribedElsewhere(s, null)) Context.Unwatch(s);
        }
        ReportIfIdle();
    }

    /// <summary>A subscriber's ref that throws must not keep the others from being told.</summary>
    private void TellSafely(IActorRef subscriber, object message)
    {
        try
        {
            subscriber.Tell(message);
        }
        catch (Exception e)
        {
            _log.Warning(e, "Telling {Subscriber} {MessageType} failed", subscriber, message.GetType().Name);
        }
    }

    private void Remove(IActorRef subscriber, string type)
    {
        _holds?.Remove((type, subscriber));
        if (!_subscribers.TryGetValue(type, out var set) || !set.Remove(subscriber) || set.Count > 0) return;
        _subscribers.Remove(type);
        _confirmed.Remove(type);
        Context.Parent.Tell(new TypeUnwanted(_code, type));
    }

    private bool IsSubscribedElsewhere(IActorRef subscriber, string? exceptType)
    {
        foreach (var (type, set) in _subscribers)
            if (type != exceptType && set.Contains(subscriber)) return true;
        return false;
    }

    private void ReportIfIdle()
    {
        if (_subscribers.Count == 0) Context.Parent.Tell(new Idle(_code, _handled));
    }
}
