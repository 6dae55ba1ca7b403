using Akka.Actor;
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
/// <see cref="MovedCause"/>) right before the first tick from the new session.
/// </summary>
internal sealed class NodeAgent : ReceiveActor, IWithTimers
{
    /// <summary>The cause of the gap notice after the session moved to another node.</summary>
    public const string MovedCause = "the session moved to another node";

    private sealed class KeyState(AppKeyCredentials key, IActorRef proxy)
    {
        public AppKeyCredentials Key { get; } = key;
        public IActorRef Proxy { get; } = proxy;
        public IActorRef? Singleton { get; set; }
    }

    private sealed class Pair(string code, string type, string key)
    {
        public string Code { get; } = code;
        public string Type { get; } = type;
        public string Key { get; } = key;
        public HashSet<IActorRef> Subscribers { get; } = [];
        public HashSet<IActorRef> Unconfirmed { get; } = [];
        public bool Confirmed { get; set; }
        public DateTimeOffset? ConfirmedAt { get; set; }
        public Tick? LastTick { get; set; }
        public DateTimeOffset? InterruptedFrom { get; set; }
        public long? VolumeBefore { get; set; }
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

        Receive<Tick>(OnTick);
        Receive<ClusterProtocol.TickBatch>(b => { foreach (var t in b.Ticks) OnTick(t); });
        Receive<SubscriptionGap>(g => { if (_pairs.TryGetValue((g.Code, g.Type), out var p)) TellAll(p.Subscribers, g); });
        Receive<SubscriptionConfirmed>(OnConfirmed);
        Receive<SubscriptionRejected>(OnRejected);
        Receive<SubscriptionRemoved>(_ => { });
        Receive<Subscribe>(OnSubscribe);
        Receive<Unsubscribe>(OnUnsubscribe);
        Receive<ClusterProtocol.FeedHere>(OnFeedHere);
        Receive<ClusterProtocol.LookUp>(_ => LookUp());
        Receive<Terminated>(OnTerminated);
        Receive<GetFeedStatus>(OnGetStatus);
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
        LookUp();
    }

    // ---------------------------------------------------------------- finding the singletons

    private void LookUp()
    {
        foreach (var k in _keys.Values)
            if (k.Singleton is null) k.Proxy.Tell(ClusterProtocol.FindFeed.Instance);
    }

    private void OnFeedHere(ClusterProtocol.FeedHere m)
    {
        if (!_keys.TryGetValue(m.KeyName, out var key) || Sender.Equals(key.Singleton)) return;
        if (key.Singleton is { } old) Context.Unwatch(old);
        key.Singleton = Sender;
        Context.Watch(Sender);
        var pairs = _pairs.Values.Where(p => p.Key == key.Key.Name).ToList();
        var conditions = key == Primary ? _conditions.Count : 0;
        _log.Info("App key {Key}: session held at {Node}; asserting {Pairs} subscription(s) and {Conditions} condition(s) of this node",
            key.Key.Name, NodeOf(Sender), pairs.Count, conditions);
        foreach (var p in pairs) Sender.Tell(new Subscribe(p.Code, p.Type, Self));
        if (key == Primary)
            foreach (var c in _conditions) Sender.Tell(c);
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
        var now = _time.GetUtcNow();
        var interrupted = 0;
        foreach (var p in _pairs.Values.Where(p => p.Key == key.Key.Name && p.Confirmed && p.InterruptedFrom is null))
        {
            p.InterruptedFrom = p.LastTick?.ReceivedAt ?? p.ConfirmedAt ?? now;
            p.VolumeBefore = p.LastTick?.CumulativeVolume;
            interrupted++;
        }
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
            key.Singleton?.Tell(new Subscribe(pair.Code, pair.Type, Self));
        }
        Context.Watch(subscriber);
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

    private void OnTick(Tick tick)
    {
        if (!_pairs.TryGetValue((tick.Code, tick.Type), out var pair)) return;
        if (pair.InterruptedFrom is { } from)
        {
            var gap = new SubscriptionGap(pair.Code, pair.Type, from, tick.ReceivedAt, MovedCause, MissedVolume(pair, tick));
            pair.InterruptedFrom = null;
            _log.Info("Gap {Code}/{Type} {From:HH:mm:ss.fff} -> {To:HH:mm:ss.fff}: {Cause}", pair.Code, pair.Type, from, tick.ReceivedAt, MovedCause);
            TellAll(pair.Subscribers, gap);
        }
        pair.LastTick = tick;
        TellAll(pair.Subscribers, tick);
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
        Drop(pair, unsubscribe: false);
        foreach (var s in subscribers) UnwatchIfUnused(s);
    }

    private static void TellAll(IEnumerable<IActorRef> subscribers, object message)
    {
        foreach (var s in subscribers) s.Tell(message, ActorRefs.NoSender);
    }

    // ---------------------------------------------------------------- status and conditions

    private void OnGetStatus(GetFeedStatus m)
    {
        if (_keys.Count == 1)
        {
            Primary.Proxy.Forward(m);
            return;
        }
        var timeout = TimeSpan.FromSeconds(4);
        var asks = _keys.Values.Select(k => k.Proxy.Ask<FeedStatus>(m, timeout)).ToArray();
        Task.WhenAll(asks).PipeTo(Sender, success: Combine);
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
