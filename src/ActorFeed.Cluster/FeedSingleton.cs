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
/// <para>Every (re)start of this actor gets a new incarnation, told to every member's agent (<see cref="ClusterProtocol.FeedHere"/>),
/// so that agents assert their sets again after a restart (which keeps the ActorRef). Agents send their whole set now and
/// then (<see cref="ClusterProtocol.DesiredSet"/>): what this singleton lacks is subscribed, what it holds for that agent
/// and the agent no longer wants is released. A feed that stops unexpectedly (a constructor that throws, say) is started
/// again after a growing pause (1 s doubling to 30 s), not in a tight loop; the pairs held are subscribed to the new one.
/// Every subscriber (an agent, local or remote) is served through a <see cref="TickRelay"/>, which sends with this
/// singleton as sender.</para>
/// </summary>
internal sealed class FeedSingleton : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan FirstRestartPause = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRestartPause = TimeSpan.FromSeconds(30);

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
    private readonly string _agentName;
    private readonly long _incarnation = Random.Shared.NextInt64(1, long.MaxValue);
    private DateTimeOffset _feedStartedAt;
    private TimeSpan _restartPause = FirstRestartPause;

    public ITimerScheduler Timers { get; set; } = null!;

    public FeedSingleton(string keyName, ActorFeedSettings settings, FeedDependencies deps, int maxCodes, string agentName)
    {
        _keyName = keyName;
        _settings = settings;
        _deps = deps;
        _maxCodes = maxCodes;
        _agentName = agentName;
        Receive<ClusterProtocol.FindFeed>(_ => Sender.Tell(Here));
        Receive<ClusterProtocol.DesiredSet>(OnDesiredSet);
        Receive<ClusterProtocol.StartFeed>(_ => StartFeed());
        Receive<ClusterProtocol.StopFeed>(_ => StopFeed());
        Receive<FeedProtocol.Stopped>(_ => { });     // the feed's answer to the graceful stop (its Terminated is what counts)
        Receive<Subscribe>(OnSubscribe);
        Receive<Unsubscribe>(OnUnsubscribe);
        Receive<Terminated>(t => t.ActorRef.Equals(_feed), OnFeedTerminated);
        Receive<Terminated>(t => Forget(t.ActorRef));
        ReceiveAny(m => _feed.Forward(m));
    }

    public static Props Props(string keyName, ActorFeedSettings settings, FeedDependencies deps, int maxCodes, string agentName) =>
        Akka.Actor.Props.Create(() => new FeedSingleton(keyName, settings, deps, maxCodes, agentName));

    private ClusterProtocol.FeedHere Here => new(_keyName, _incarnation);

    protected override void PreStart()
    {
        _log.Info("App key {Key}: this node holds the session now; logging in", _keyName);
        StartFeed();
        // every member's agent: here I am (a restart keeps this ActorRef, so only the new incarnation tells them to assert)
        if (Context.System is ExtendedActorSystem { Provider: Akka.Cluster.ClusterActorRefProvider })
            foreach (var member in Akka.Cluster.Cluster.Get(Context.System).State.Members)
                Context.ActorSelection(new RootActorPath(member.Address) / "user" / _agentName).Tell(Here, Self);
    }

    private void StartFeed()
    {
        if (_stopping) return;
        _feed = Context.ActorOf(FeedSupervisor.Props(_settings, _deps), "feed");     // the name is free again once Terminated came
        _feedStartedAt = DateTimeOffset.UtcNow;
        Context.Watch(_feed);
        // a feed started again: the pairs held go to it (the agents' next set would bring them too)
        foreach (var (code, pairs) in _codes)
            foreach (var (subscriber, type) in pairs)
            {
                var relay = RelayFor(subscriber);
                _feed.Tell(new Subscribe(code, type, relay), relay);
            }
    }

    /// <summary>An agent's whole set: subscribe what is missing, release what it no longer holds, then answer FeedHere.</summary>
    private void OnDesiredSet(ClusterProtocol.DesiredSet m)
    {
        var agent = Sender;
        var wanted = m.Pairs.ToHashSet();
        var held = _codes.SelectMany(c => c.Value.Where(p => p.Subscriber.Equals(agent)).Select(p => (Code: c.Key, p.Type))).ToList();
        var added = 0;
        var released = 0;
        foreach (var (code, type) in wanted.Except(held))
        {
            OnSubscribe(new Subscribe(code, type, agent));
            added++;
        }
        foreach (var (code, type) in held.Except(wanted))
        {
            OnUnsubscribe(new Unsubscribe(code, type, agent));
            released++;
        }
        if (added + released > 0)
            _log.Warning("App key {Key}: reconciled the set of {Agent}: {Added} pair(s) subscribed, {Released} released (messages lost on the way?)",
                _keyName, agent.Path, added, released);
        agent.Tell(Here);
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
            // every agent, local or remote, through a relay: its ticks carry this singleton as sender (batched if remote)
            var relay = RelayFor(subscriber);
            _feed.Tell(m with { Subscriber = relay }, relay);
            return;
        }
        _feed.Forward(m);
    }

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
        if (_feed.IsNobody())
        {
            _log.Info("App key {Key}: handing over (no feed running: it waits for its restart)", _keyName);
            Context.Stop(Self);
            return;
        }
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
        // the feed never stops by itself (a constructor that throws stops it: ActorInitializationException): start a
        // new one after a pause that grows, not in a tight loop
        _feed = ActorRefs.Nobody;
        if (DateTimeOffset.UtcNow - _feedStartedAt > 2 * MaxRestartPause) _restartPause = FirstRestartPause;   // it ran a while: start afresh
        _log.Error("App key {Key}: the feed stopped unexpectedly; starting it again in {Pause}", _keyName, _restartPause);
        Timers.StartSingleTimer(ClusterProtocol.StartFeed.Instance, ClusterProtocol.StartFeed.Instance, _restartPause);
        _restartPause = TimeSpan.FromTicks(Math.Min(_restartPause.Ticks * 2, MaxRestartPause.Ticks));
    }
}
