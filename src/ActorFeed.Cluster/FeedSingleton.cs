using Akka.Actor;
using Akka.Event;
using ActorFeed.Kiwoom;
using ActorFeed.Messages;
using ActorFeed.Settings;

namespace ActorFeed.Cluster;

/// <summary>
/// The singleton of one app key (<c>/user/actorfeed-{key}/feed</c> on the oldest node of the key's role): runs the
/// key's <see cref="FeedSupervisor"/> as its child, answers <see cref="ClusterProtocol.FindFeed"/>, caps the distinct
/// codes of the session (<see cref="ActorFeedClusterSettings.MaxCodesPerSession"/>) and forwards everything else to
/// the feed. On <see cref="ClusterProtocol.StopFeed"/> (the manager's termination message: hand-over or leaving) it
/// stops the feed gracefully (REMOVE everything, close 1000, revoke per settings) and stops only when the feed has:
/// the manager hands over, and the next node logs in, only then.
/// </summary>
internal sealed class FeedSingleton : ReceiveActor
{
    private readonly string _keyName;
    private readonly ActorFeedSettings _settings;
    private readonly FeedDependencies _deps;
    private readonly int _maxCodes;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    /// <summary>code -> the (subscriber, type) pairs subscribed through this singleton.</summary>
    private readonly Dictionary<string, HashSet<(IActorRef Subscriber, string Type)>> _codes = new(StringComparer.Ordinal);
    /// <summary>A remote agent -> its local stand-in, the feed's subscriber for it (<see cref="TickRelay"/>).</summary>
    private readonly Dictionary<IActorRef, IActorRef> _relays = [];
    private int _relayCount;
    private IActorRef _feed = ActorRefs.Nobody;
    private bool _stopping;

    public FeedSingleton(string keyName, ActorFeedSettings settings, FeedDependencies deps, int maxCodes)
    {
        _keyName = keyName;
        _settings = settings;
        _deps = deps;
        _maxCodes = maxCodes;
        Receive<ClusterProtocol.FindFeed>(_ => Sender.Tell(new ClusterProtocol.FeedHere(_keyName)));
        Receive<ClusterProtocol.StopFeed>(_ => StopFeed());
        Receive<Subscribe>(OnSubscribe);
        Receive<Unsubscribe>(OnUnsubscribe);
        Receive<Terminated>(t => t.ActorRef.Equals(_feed), OnFeedTerminated);
        Receive<Terminated>(t => Forget(t.ActorRef));
        ReceiveAny(m => _feed.Forward(m));
    }

    public static Props Props(string keyName, ActorFeedSettings settings, FeedDependencies deps, int maxCodes) =>
        Akka.Actor.Props.Create(() => new FeedSingleton(keyName, settings, deps, maxCodes));

    protected override void PreStart()
    {
        _log.Info("App key {Key}: this node holds the session now; logging in", _keyName);
        _feed = Context.ActorOf(FeedSupervisor.Props(_settings, _deps), "feed");
        Context.Watch(_feed);
    }

    private void OnSubscribe(Subscribe m)
    {
        var subscriber = m.Subscriber ?? Sender;
        var code = m.Code ?? "";
        if (code.Length > 0 && !_codes.ContainsKey(code) && _codes.Keys.Count(c => c.Length > 0) >= _maxCodes)
        {
            var reason = $"app key '{_keyName}': its session is full ({_maxCodes} codes, actorfeed.cluster.max-codes-per-session); add an app key";
            _log.Warning("Subscribe {Code}/{Type} rejected: {Reason}", code, m.Type, reason);
            subscriber.Tell(new SubscriptionRejected(code, m.Type ?? "", reason));
            return;
        }
        if (m.Type is not null && InstrumentCode.Validate(m.Code, m.Type) is null && !subscriber.IsNobody())
        {
            if (!_codes.TryGetValue(code, out var pairs)) _codes[code] = pairs = [];
            pairs.Add((subscriber, m.Type));
            Context.Watch(subscriber);
            if (IsRemoteAgent(subscriber))
            {
                var relay = RelayFor(subscriber);
                _feed.Tell(m with { Subscriber = relay }, relay);
                return;
            }
        }
        _feed.Forward(m);
    }

    /// <summary>A subscriber on another node: its ticks go through a local <see cref="TickRelay"/> (batched).</summary>
    private static bool IsRemoteAgent(IActorRef subscriber) => subscriber.Path.Address.HasGlobalScope;

    private IActorRef RelayFor(IActorRef agent)
    {
        if (_relays.TryGetValue(agent, out var relay)) return relay;
        relay = Context.ActorOf(TickRelay.Props(agent), "relay-" + (++_relayCount).ToString(System.Globalization.CultureInfo.InvariantCulture));
        _relays[agent] = relay;
        return relay;
    }

    private void OnUnsubscribe(Unsubscribe m)
    {
        var subscriber = m.Subscriber ?? Sender;
        var code = m.Code ?? "";
        if (m.Type is not null && _codes.TryGetValue(code, out var pairs) && pairs.Remove((subscriber, m.Type)) && pairs.Count == 0)
            _codes.Remove(code);
        if (_relays.TryGetValue(subscriber, out var relay)) _feed.Tell(m with { Subscriber = relay }, relay);
        else _feed.Forward(m);
    }

    private void Forget(IActorRef subscriber)
    {
        _relays.Remove(subscriber);                  // the relay stops by itself (it watches its agent)
        foreach (var code in _codes.Keys.ToList())
        {
            var pairs = _codes[code];
            pairs.RemoveWhere(p => p.Subscriber.Equals(subscriber));
            if (pairs.Count == 0) _codes.Remove(code);
        }
    }

    private void StopFeed()
    {
        if (_stopping) return;
        _stopping = true;
        _log.Info("App key {Key}: handing the session over; stopping the feed gracefully (REMOVE, close) first", _keyName);
        _feed.Tell(FeedProtocol.Stop.Instance);
    }

    private void OnFeedTerminated(Terminated _)
    {
        if (_stopping)
        {
            _log.Info("App key {Key}: session closed; handing over", _keyName);
            Context.Stop(Self);
            return;
        }
        // the feed never stops by itself: restart the singleton (the manager's supervisor) with a fresh feed
        throw new InvalidOperationException($"the feed of app key '{_keyName}' stopped unexpectedly");
    }
}
