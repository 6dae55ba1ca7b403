using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using ActorFeed.Kiwoom;
using ActorFeed.Messages;

namespace ActorFeed.Cluster;

/// <summary>
/// The feed as this node sees it (<c>/user/actorfeed</c> on every node, the actor <c>IActorFeedClient</c> talks to).
/// It keeps the desired set of THIS node's subscribers (Subscribe / SubscribeCondition) and holds one subscription per
/// pair with the singleton of the pair's app key (<see cref="KeyAssignment"/>), fanning ticks, gaps, confirmations and
/// rejections out to its local subscribers. It finds each key's singleton through the key's proxy
/// (<see cref="ClusterProtocol.FindFeed"/>), death-watches it, and when it is gone (hand-over, node downed) asks again
/// until the new one answers, then asserts its whole set to it. So the cluster's desired set is exactly the union of the
/// live nodes' subscribers: nothing to replicate, nothing lost with the node that held the session (its own subscribers
/// die with it). Each subscriber of a pair that was live gets one <see cref="SubscriptionGap"/> (cause
/// <see cref="MovedCause"/>) right before the first tick from the new session: only a tick sent by the CURRENT singleton
/// (the relays send with the singleton as sender) ends an interruption, so a tick of the old session still queued here
/// cannot announce the gap early.
/// <para>Self-healing link (Akka.Remote is at-most-once): every <see cref="ActorFeedClusterSettings.ReconcileInterval"/>,
/// when a singleton is found (or restarted: a new <see cref="ClusterProtocol.FeedHere.Incarnation"/>) and when its node is
/// reachable again, the agent sends the singleton its whole set (<see cref="ClusterProtocol.DesiredSet"/>), which the
/// singleton reconciles; Subscribes not confirmed within that interval are sent again. When the singleton's node becomes
/// unreachable the pairs count as interrupted, so a gap is announced when ticks resume.</para>
/// </summary>
internal sealed class NodeAgent : ReceiveActor, IWithTimers
{
    /// <summary>The cause of the gap notice after the session moved to another node.</summary>
    public const string MovedCause = "the session moved to another node";

    /// <summary>The cause in the status this node answers for a key whose singleton is not known or does not answer.</summary>
    public const string MovingCause = "session moving to another node";

    /// <summary>How long a status query waits for a key's singleton before answering for it locally (under the health
    /// check's 2 s).</summary>
    internal static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(1.5);

    private sealed class KeyState(AppKeyCredentials key, IActorRef proxy)
    {
        public AppKeyCredentials Key { get; } = key;
        public IActorRef Proxy { get; } = proxy;
        public IActorRef? Singleton { get; set; }
        public long Incarnation { get; set; }
    }

    private sealed class Pair(string code, string type, string key)
    {
        public string Code { get; } = code;
        public string Type { get; } = type;
        public string Key { get; } = key;
        public HashSet<IActorRef> Subscribers { get; } = [];
        public HashSet<IActorRef> Unconfirmed { get; } = [];
        /// <summary>Subscribers that asked for <see cref="Subscribe.Batched"/>: they get a <see cref="Messages.TickBatch"/> per
        /// batch that reaches this node (their ticks of it, in order) instead of one <see cref="Tick"/> each.</summary>
        public HashSet<IActorRef> Batched { get; } = [];
        public bool Confirmed { get; set; }
        public DateTimeOffset? ConfirmedAt { get; set; }
        public Tick? LastTick { get; set; }
        public DateTimeOffset? InterruptedFrom { get; set; }
        public long? VolumeBefore { get; set; }
        /// <summary>When the Subscribe was last sent to a singleton; null while none is known.</summary>
        public DateTimeOffset? SentAt { get; set; }
    }

    private readonly ActorFeedClusterSettings _settings;
    private readonly KeyAssignment _assignment;
    private readonly Dictionary<string, KeyState> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Code, string Type), Pair> _pairs = [];
    private readonly List<SubscribeCondition> _conditions = [];
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ITimerScheduler Timers { get; set; } = null!;

    public NodeAgent(ActorFeedClusterSettings settings, IReadOnlyDictionary<string, IActorRef> proxies, TimeProvider time)
    {
        _settings = settings;
        _time = time;
        _assignment = new KeyAssignment(settings.AppKeys.Select(k => k.Name));
        foreach (var k in settings.AppKeys) _keys[k.Name] = new KeyState(k, proxies[k.Name]);

        Receive<Tick>(t =>
        {
            OnTick(t, Sender);
            FlushBatches();
        });
        Receive<ClusterProtocol.TickBatch>(b =>
        {
            foreach (var t in b.Ticks) OnTick(t, Sender);
            FlushBatches();
        });
        Receive<SubscriptionGap>(g => { if (_pairs.TryGetValue((g.Code, g.Type), out var p)) TellAll(p.Subscribers, g); });
        Receive<SubscriptionConfirmed>(OnConfirmed);
        Receive<SubscriptionRejected>(OnRejected);
        Receive<SubscriptionRemoved>(_ => { });
        Receive<Subscribe>(OnSubscribe);
        Receive<Unsubscribe>(OnUnsubscribe);
        Receive<ClusterProtocol.FeedHere>(OnFeedHere);
        Receive<ClusterProtocol.LookUp>(_ => LookUp());
        Receive<ClusterProtocol.Reconcile>(_ => Reconcile());
        Receive<ClusterEvent.UnreachableMember>(m => OnUnreachable(m.Member.Address));
        Receive<ClusterEvent.ReachableMember>(m => OnReachable(m.Member.Address));
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        Receive<Terminated>(OnTerminated);
        Receive<GetFeedStatus>(OnGetStatus);
        Receive<GetSubscriptionStats>(OnGetStats);
        Receive<GetConditionStatus>(OnGetConditionStatus);
        Receive<SubscribeCondition>(OnSubscribeCondition);
        Receive<UnsubscribeCondition>(OnUnsubscribeCondition);
        Receive<ListConditions>(m => Primary.Proxy.Forward(m));
        Receive<SearchCondition>(m => Primary.Proxy.Forward(m));
    }

    public static Props Props(ActorFeedClusterSettings settings, IReadOnlyDictionary<string, IActorRef> proxies, TimeProvider? time = null) =>
        Akka.Actor.Props.Create(() => new NodeAgent(settings, proxies, time ?? TimeProvider.System));

    /// <summary>The first key: conditions (a property of the HTS user of the key) and the per-account types go to it.</summary>
    private KeyState Primary => _keys[_settings.AppKeys[0].Name];

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer(ClusterProtocol.LookUp.Instance, ClusterProtocol.LookUp.Instance, _settings.SingletonLookupInterval);
        Timers.StartPeriodicTimer(ClusterProtocol.Reconcile.Instance, ClusterProtocol.Reconcile.Instance, _settings.ReconcileInterval);
        if (IsClusterNode) Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, typeof(ClusterEvent.IReachabilityEvent));
        LookUp();
    }

    protected override void PostStop()
    {
        if (IsClusterNode) Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
    }

    private static bool IsClusterNode => Context.System is ExtendedActorSystem { Provider: Akka.Cluster.ClusterActorRefProvider };

    // ---------------------------------------------------------------- finding the singletons

    private void LookUp()
    {
        foreach (var k in _keys.Values)
            if (k.Singleton is null) k.Proxy.Tell(ClusterProtocol.FindFeed.Instance);
    }

    private void OnFeedHere(ClusterProtocol.FeedHere m)
    {
        if (!_keys.TryGetValue(m.KeyName, out var key)) return;
        if (Sender.Equals(key.Singleton))
        {
            if (m.Incarnation == key.Incarnation) return;
            // the same actor started again (a restart keeps the ActorRef): its feed is a new session with an empty set
            _log.Warning("App key {Key}: the singleton at {Node} started again; asserting this node's set again", key.Key.Name, NodeOf(Sender));
            Interrupt(key);
        }
        else
        {
            if (key.Singleton is { } old) Context.Unwatch(old);
            key.Singleton = Sender;
            Context.Watch(Sender);
        }
        key.Incarnation = m.Incarnation;
        var pairs = _pairs.Values.Where(p => p.Key == key.Key.Name).ToList();
        var conditions = key == Primary ? _conditions.Count : 0;
        _log.Info("App key {Key}: session held at {Node}; asserting {Pairs} subscription(s) and {Conditions} condition(s) of this node",
            key.Key.Name, NodeOf(Sender), pairs.Count, conditions);
        var now = _time.GetUtcNow();
        foreach (var p in pairs)
        {
            Sender.Tell(new Subscribe(p.Code, p.Type, Self));
            p.SentAt = now;
        }
        // and the whole set: the singleton releases what it still holds for this agent and it no longer wants (an
        // Unsubscribe lost, or this agent restarted with an empty set)
        SendDesiredSet(key);
        if (key == Primary)
            foreach (var c in _conditions) Sender.Tell(c);
    }

    private void SendDesiredSet(KeyState key) =>
        key.Singleton?.Tell(new ClusterProtocol.DesiredSet(key.Key.Name,
            [.. _pairs.Values.Where(p => p.Key == key.Key.Name).Select(p => (p.Code, p.Type))]));

    /// <summary>The periodic repair: the whole set to every known singleton; Subscribes unconfirmed for a whole interval again.</summary>
    private void Reconcile()
    {
        var now = _time.GetUtcNow();
        foreach (var key in _keys.Values)
        {
            if (key.Singleton is not { } singleton) continue;
            SendDesiredSet(key);
            foreach (var p in _pairs.Values.Where(p => p.Key == key.Key.Name && !p.Confirmed && p.SentAt is { } at && now - at >= _settings.ReconcileInterval))
            {
                singleton.Tell(new Subscribe(p.Code, p.Type, Self));
                p.SentAt = now;
            }
        }
    }

    /// <summary>The live pairs of <paramref name="key"/> count as interrupted from their last tick on: a gap notice is
    /// sent before the first tick of the current singleton.</summary>
    private int Interrupt(KeyState key)
    {
        var now = _time.GetUtcNow();
        var interrupted = 0;
        foreach (var p in _pairs.Values.Where(p => p.Key == key.Key.Name && p.Confirmed && p.InterruptedFrom is null))
        {
            p.InterruptedFrom = p.LastTick?.ReceivedAt ?? p.ConfirmedAt ?? now;
            p.VolumeBefore = p.LastTick?.CumulativeVolume;
            interrupted++;
        }
        return interrupted;
    }

    private void OnUnreachable(Address node)
    {
        foreach (var key in _keys.Values.Where(k => k.Singleton is { } s && s.Path.Address.Equals(node)))
        {
            var interrupted = Interrupt(key);
            _log.Warning("App key {Key}: the session's node {Node} is unreachable ({Pairs} pair(s) interrupted)", key.Key.Name, node, interrupted);
        }
    }

    private void OnReachable(Address node)
    {
        foreach (var key in _keys.Values.Where(k => k.Singleton is { } s && s.Path.Address.Equals(node)))
        {
            _log.Info("App key {Key}: the session's node {Node} is reachable again; asserting this node's set", key.Key.Name, node);
            SendDesiredSet(key);
        }
    }

    private void OnTerminated(Terminated t)
    {
        var key = _keys.Values.FirstOrDefault(k => t.ActorRef.Equals(k.Singleton));
        if (key is null)
        {
            ForgetSubscriber(t.ActorRef);
            return;
        }
        key.Singleton = null;
        key.Incarnation = 0;
        foreach (var p in _pairs.Values.Where(p => p.Key == key.Key.Name)) p.SentAt = null;
        var interrupted = Interrupt(key);
        _log.Warning("App key {Key}: the session's node is gone ({Node}); waiting for the next node to take over ({Pairs} pair(s) interrupted)",
            key.Key.Name, NodeOf(t.ActorRef), interrupted);
        LookUp();
    }

    private string NodeOf(IActorRef actor) => actor.Path.Address.HasLocalScope ? "this node" : actor.Path.Address.ToString();

    // ---------------------------------------------------------------- subscriptions of this node

    private void OnSubscribe(Subscribe m)
    {
        var subscriber = m.Subscriber ?? Sender;
        var error = InstrumentCode.Validate(m.Code, m.Type);
        if (error is null && (subscriber.IsNobody() || subscriber.Equals(Context.System.DeadLetters)))
            error = "no subscriber: send Subscribe from an actor or set Subscribe.Subscriber";
        if (error is not null)
        {
            Reject(m.Code, m.Type, error, subscriber);
            return;
        }
        var id = (m.Code ?? "", m.Type);
        if (!_pairs.TryGetValue(id, out var pair))
        {
            var key = _keys[_assignment.KeyOf(id.Item1)];
            _pairs[id] = pair = new Pair(id.Item1, m.Type, key.Key.Name);
            if (key.Singleton is { } singleton)
            {
                singleton.Tell(new Subscribe(pair.Code, pair.Type, Self));
                pair.SentAt = _time.GetUtcNow();
            }
        }
        Context.Watch(subscriber);
        if (m.Batched) pair.Batched.Add(subscriber);          // the latest Subscribe decides, as in a single-process feed
        else pair.Batched.Remove(subscriber);
        if (!pair.Subscribers.Add(subscriber)) return;
        if (pair.Confirmed) subscriber.Tell(new SubscriptionConfirmed(pair.Code, pair.Type));
        else pair.Unconfirmed.Add(subscriber);
    }

    private void OnUnsubscribe(Unsubscribe m)
    {
        var subscriber = m.Subscriber ?? Sender;
        var id = (m.Code ?? "", m.Type ?? "");
        if (_pairs.TryGetValue(id, out var pair) && pair.Subscribers.Remove(subscriber))
        {
            pair.Unconfirmed.Remove(subscriber);
            pair.Batched.Remove(subscriber);
            if (pair.Subscribers.Count == 0) Drop(pair, unsubscribe: true);
            UnwatchIfUnused(subscriber);
        }
        if (!subscriber.IsNobody()) subscriber.Tell(new SubscriptionRemoved(id.Item1, id.Item2));
    }

    private void Drop(Pair pair, bool unsubscribe)
    {
        _pairs.Remove((pair.Code, pair.Type));
        if (unsubscribe) _keys[pair.Key].Singleton?.Tell(new Unsubscribe(pair.Code, pair.Type, Self));
    }

    private void ForgetSubscriber(IActorRef subscriber)
    {
        foreach (var pair in _pairs.Values.ToList())
            if (pair.Subscribers.Remove(subscriber))
            {
                pair.Unconfirmed.Remove(subscriber);
                pair.Batched.Remove(subscriber);
                if (pair.Subscribers.Count == 0) Drop(pair, unsubscribe: true);
            }
        for (var i = _conditions.Count - 1; i >= 0; i--)
            if (_conditions[i].Subscriber!.Equals(subscriber))
            {
                Primary.Singleton?.Tell(new UnsubscribeCondition(_conditions[i].Seq, subscriber));
                _conditions.RemoveAt(i);
            }
    }

    private void UnwatchIfUnused(IActorRef subscriber)
    {
        if (_pairs.Values.Any(p => p.Subscribers.Contains(subscriber)) || _conditions.Any(c => c.Subscriber!.Equals(subscriber))) return;
        Context.Unwatch(subscriber);
    }

    private void Reject(string? code, string? type, string reason, IActorRef subscriber)
    {
        var rejected = new SubscriptionRejected(code ?? "", type ?? "", reason);
        var told = false;
        if (!subscriber.IsNobody() && !subscriber.Equals(Context.System.DeadLetters)) { subscriber.Tell(rejected); told = true; }
        if (!Sender.Equals(subscriber) && !Sender.IsNobody() && !Sender.Equals(Context.System.DeadLetters)) { Sender.Tell(rejected); told = true; }
        if (!told) Context.System.EventStream.Publish(rejected);
    }

    // ---------------------------------------------------------------- from the singletons

    private void OnTick(Tick tick, IActorRef from)
    {
        if (!_pairs.TryGetValue((tick.Code, tick.Type), out var pair)) return;
        if (pair.InterruptedFrom is not null && !from.Equals(_keys[pair.Key].Singleton))
        {
            // a tick of the old session, queued here behind the news that it is gone (Terminated, a system message,
            // overtakes it): real data from before the outage, which then started later; it does not end it
            pair.InterruptedFrom = tick.ReceivedAt;
            pair.VolumeBefore = tick.CumulativeVolume;
        }
        else if (pair.InterruptedFrom is { } since)
        {
            var gap = new SubscriptionGap(pair.Code, pair.Type, since, tick.ReceivedAt, MovedCause, MissedVolume(pair, tick));
            pair.InterruptedFrom = null;
            _log.Info("Gap {Code}/{Type} {From:HH:mm:ss.fff} -> {To:HH:mm:ss.fff}: {Cause}", pair.Code, pair.Type, since, tick.ReceivedAt, MovedCause);
            FlushBatches();                                   // the ticks before the gap go first, then the gap, then the tick after
            TellAll(pair.Subscribers, gap);
        }
        pair.LastTick = tick;
        foreach (var s in pair.Subscribers)
        {
            if (!pair.Batched.Contains(s)) s.Tell(tick, ActorRefs.NoSender);
            else if (_batches.TryGetValue(s, out var batch)) batch.Add(tick);
            else _batches[s] = [tick];
        }
    }

    private readonly Dictionary<IActorRef, List<Tick>> _batches = [];

    /// <summary>Sends each batched subscriber its ticks gathered so far, as one <see cref="Messages.TickBatch"/>.</summary>
    private void FlushBatches()
    {
        if (_batches.Count == 0) return;
        foreach (var (subscriber, ticks) in _batches) subscriber.Tell(new Messages.TickBatch(ticks), ActorRefs.NoSender);
        _batches.Clear();
    }

    /// <summary>For 0B: FID 13 of the first tick after, minus FID 13 of the last before, minus the first tick's |FID 15|;
    /// null when unknown or negative (a new trading day), as the feed computes it for its own gaps.</summary>
    private static long? MissedVolume(Pair pair, Tick first)
    {
        if (pair.Type != RealTypes.StockTrade || pair.VolumeBefore is not { } before) return null;
        if (first.CumulativeVolume is not { } after || first.TradeVolume is not { } volume) return null;
        var missed = after - Math.Abs(volume) - before;
        return missed >= 0 ? missed : null;
    }

    private void OnConfirmed(SubscriptionConfirmed m)
    {
        if (!_pairs.TryGetValue((m.Code, m.Type), out var pair)) return;
        if (!pair.Confirmed)
        {
            pair.Confirmed = true;
            pair.ConfirmedAt = _time.GetUtcNow();
        }
        TellAll(pair.Unconfirmed, m);
        pair.Unconfirmed.Clear();
    }

    private void OnRejected(SubscriptionRejected m)
    {
        if (!_pairs.TryGetValue((m.Code, m.Type), out var pair)) return;
        TellAll(pair.Subscribers, m);
        var subscribers = pair.Subscribers.ToList();
        // unsubscribe too: the singleton counted the code against the session's cap when it took the Subscribe, and the
        // feed may have refused it after that (the server, a bad code); without this the code would hold a place for good
        Drop(pair, unsubscribe: true);
        foreach (var s in subscribers) UnwatchIfUnused(s);
    }

    private static void TellAll(IEnumerable<IActorRef> subscribers, object message)
    {
        foreach (var s in subscribers) s.Tell(message, ActorRefs.NoSender);
    }

    // ---------------------------------------------------------------- status and conditions

    /// <summary>
    /// Each key's status from its singleton; for a key whose singleton is not known (a move under way: the proxy would
    /// buffer the question until the next singleton exists, tens of seconds with production defaults) or does not answer
    /// within <see cref="QueryTimeout"/>, this node's own view (<see cref="LocalStatus"/>), so the health check keeps
    /// getting answers during a failover. Several keys are combined (<see cref="Combine"/>).
    /// </summary>
    private void OnGetStatus(GetFeedStatus m)
    {
        var asks = _keys.Values.Select(k =>
        {
            var local = LocalStatus(k);
            return k.Singleton is { } s
                ? s.Ask<FeedStatus>(m, QueryTimeout).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : local, TaskScheduler.Default)
                : Task.FromResult(local);
        }).ToArray();
        Task.WhenAll(asks).PipeTo(Sender, success: all => all.Length == 1 ? all[0] : Combine(all));
    }

    /// <summary>This node's view of a key whose singleton does not answer: reconnecting, with this node's pairs of the key.</summary>
    private FeedStatus LocalStatus(KeyState key)
    {
        var pairs = _pairs.Values.Where(p => p.Key == key.Key.Name).ToList();
        var down = pairs.Where(p => p.InterruptedFrom is not null).Select(p => p.InterruptedFrom).Min() ?? _time.GetUtcNow();
        return new FeedStatus(FeedState.Reconnecting, MovingCause, 0, null, null, pairs.Count, 0, false, DownSince: down);
    }

    /// <summary>Like <see cref="OnGetStatus"/>: each key's reading; a key without an answer counts with its local status
    /// and no subscriptions; the readings merged (sorted by code, then type).</summary>
    private void OnGetStats(GetSubscriptionStats m)
    {
        var asks = _keys.Values.Select(k =>
        {
            var local = new SubscriptionStats(LocalStatus(k), [], _time.GetUtcNow());
            return k.Singleton is { } s
                ? s.Ask<SubscriptionStats>(m, QueryTimeout).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : local, TaskScheduler.Default)
                : Task.FromResult(local);
        }).ToArray();
        Task.WhenAll(asks).PipeTo(Sender, success: all => all.Length == 1 ? all[0] : new SubscriptionStats(
            Combine([.. all.Select(s => s.Status)]),
            [.. all.SelectMany(s => s.Subscriptions).OrderBy(s => s.Code, StringComparer.Ordinal).ThenBy(s => s.Type, StringComparer.Ordinal)],
            all.Max(s => s.At)));
    }

    /// <summary>Conditions live with the first key's session: its answer; without one, this node's followed conditions
    /// as waiting for a connection.</summary>
    private void OnGetConditionStatus(GetConditionStatus m)
    {
        var local = new ConditionStatus([.. _conditions.GroupBy(c => c.Seq).OrderBy(g => g.Key).Select(g => new FollowedCondition(
            g.Key, "", FollowedConditionState.WaitingForConnection, 0, [], g.Count(),
            [.. g.SelectMany(c => c.TickTypes ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)], null, 0, 0))], _time.GetUtcNow());
        var answer = Primary.Singleton is { } s
            ? s.Ask<ConditionStatus>(m, QueryTimeout).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : local, TaskScheduler.Default)
            : Task.FromResult(local);
        answer.PipeTo(Sender);
    }

    /// <summary>One status for several sessions: the worst state (with its cause, attempt and next retry), the counts
    /// summed, the stale codes of all.</summary>
    internal static FeedStatus Combine(FeedStatus[] all)
    {
        static int Rank(FeedState s) => s switch
        {
            FeedState.Connected => 0,
            FeedState.Authenticating or FeedState.Connecting => 1,
            FeedState.Reconnecting => 2,
            FeedState.Failed => 3,
            _ => 4,
        };
        var worst = all.OrderByDescending(s => Rank(s.State)).First();
        return worst with
        {
            DesiredSubscriptions = all.Sum(s => s.DesiredSubscriptions),
            ConfirmedSubscriptions = all.Sum(s => s.ConfirmedSubscriptions),
            IsPermanentFailure = all.Any(s => s.IsPermanentFailure),
            RecentDrops = all.Sum(s => s.RecentDrops),
            ConnectedSince = all.All(s => s.ConnectedSince is not null) ? all.Max(s => s.ConnectedSince) : null,
            StaleCodes = [.. all.SelectMany(s => s.StaleCodes).Distinct(StringComparer.Ordinal)],
        };
    }

    private void OnSubscribeCondition(SubscribeCondition m)
    {
        var subscriber = m.Subscriber ?? Sender;
        var request = m with { Subscriber = subscriber };
        if (!subscriber.IsNobody() && !subscriber.Equals(Context.System.DeadLetters) && m.Seq >= 0)
        {
            _conditions.RemoveAll(c => c.Seq == m.Seq && c.Subscriber!.Equals(subscriber));
            _conditions.Add(request);
            Context.Watch(subscriber);
        }
        // to the known singleton; else FeedHere asserts it when one answers (sent one way only, never twice).
        // A request the feed will reject (no subscriber, negative seq) goes through the proxy, so that it is answered.
        if (Primary.Singleton is { } s) s.Forward(request);
        else if (subscriber.IsNobody() || subscriber.Equals(Context.System.DeadLetters) || m.Seq < 0) Primary.Proxy.Forward(request);
    }

    private void OnUnsubscribeCondition(UnsubscribeCondition m)
    {
        var subscriber = m.Subscriber ?? Sender;
        _conditions.RemoveAll(c => c.Seq == m.Seq && c.Subscriber!.Equals(subscriber));
        if (Primary.Singleton is { } s) s.Forward(m with { Subscriber = subscriber });
        else subscriber.Tell(new ConditionUnsubscribed(m.Seq));
        UnwatchIfUnused(subscriber);
    }
}
