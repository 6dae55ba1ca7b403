using Akka.Actor;
using Akka.Event;
using ActorFeed.Diagnostics;
using ActorFeed.Messages;
using ActorFeed.Settings;
using ActorFeed.Conditions;
using ActorFeed.Connection;
using ActorFeed.Kiwoom;
using ActorFeed.Subscriptions;
using ActorFeed.Supervision;
using ActorFeed.Token;
using static ActorFeed.Connection.ConnectionProtocol;
using static ActorFeed.Subscriptions.SubscriptionProtocol;

namespace ActorFeed;

/// <summary>
/// The public entry point (<c>/user/actorfeed</c>). Validates <see cref="Subscribe"/> and <see cref="Unsubscribe"/> and
/// answers bad input with <see cref="SubscriptionRejected"/> without any traffic; owns the desired set of code/type
/// pairs (with the SubscriptionActors, one per code); replays the whole set on every <see cref="ConnectionUp"/>, so a
/// connection restart loses nothing; keeps <see cref="FeedStatus"/> and publishes <see cref="FeedStatusChanged"/>.
/// Children: <c>token</c> and <c>connection</c> (each under a <see cref="RestartSupervisor"/>),
/// <c>sub-{code}</c> / <c>account</c>, and <c>conditions</c> (<see cref="ConditionsActor"/>: condition search, to which the
/// public condition messages and every new connection are forwarded; its holds on member ticks come back here).
/// <para>
/// Nothing may lose the desired set, this actor's own failure included: it runs under the /user guardian, whose
/// default strategy would restart it empty (and abort the socket without REMOVE). So an exception in any handler is
/// caught around the message (<see cref="AroundReceive"/>), logged at Error and the actor goes on with its state:
/// Resume semantics. A failing child is resumed as well (<see cref="ResumeChildren"/>), because a restart would
/// silently drop a SubscriptionActor's subscribers. Its internal protocol is accepted only from the actors it expects
/// (its SubscriptionActors, its connection, its two restart supervisors); anything else is ignored with a debug line.
/// </para>
/// </summary>
internal sealed partial class FeedSupervisor : ReceiveActor
{
    private readonly ActorFeedSettings _settings;
    private readonly FeedDependencies _deps;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<RegistrationItem, ItemState> _desired = [];
    private readonly Dictionary<string, SubscriptionEntry> _subscriptions = new(StringComparer.Ordinal);
    private readonly FlapDetector _flaps;
    private IActorRef _tokens = ActorRefs.Nobody;
    private IActorRef _connectionSupervisor = ActorRefs.Nobody;
    private IActorRef _conditions = ActorRefs.Nobody;
    private IActorRef? _connection;
    private FeedStatus _status;
    private DateTimeOffset? _lostAt;
    private DateTimeOffset? _unconfirmedSince;
    private int _confirmed;
    private readonly HashSet<string> _stoppingNames = new(StringComparer.Ordinal);
    private int _incarnation;
    private KeyValuePair<string, object?> _metricTag;
    private readonly MarketSignals _market;   // the calendar refined by 0s pushes: ONE per feed, shared with every connection
    private readonly Func<long>? _paceClock;

    public FeedSupervisor(ActorFeedSettings settings, FeedDependencies deps)
    {
        _settings = settings;
        _deps = deps;
        _flaps = new FlapDetector(settings.FlappingDrops, settings.FlappingWindow);
        _status = new(FeedState.Authenticating, null, 0, null, null, 0, 0, false, deps.Time.GetUtcNow());
        _market = new MarketSignals(settings.Calendar());
        // pace in ms of the feed's clock when a test gives one, else Environment.TickCount64 (what the receive loop passes)
        _paceClock = ReferenceEquals(deps.Time, TimeProvider.System) ? null : () => deps.Time.GetUtcNow().ToUnixTimeMilliseconds();

        Receive<Subscribe>(OnSubscribe);
        Receive<Unsubscribe>(OnUnsubscribe);
        Receive<GetFeedStatus>(_ => Sender.Tell(CurrentStatus()));
        // condition search: the conditions child validates and keeps it (see ConditionsActor)
        Receive<ListConditions>(m => _conditions.Forward(m));
        Receive<SubscribeCondition>(m => _conditions.Forward(m));
        Receive<UnsubscribeCondition>(m => _conditions.Forward(m));
        Receive<SearchCondition>(m => _conditions.Forward(m));
        Receive<GetConditionStatus>(m => _conditions.Forward(m));
        Receive<ConditionsProtocol.HoldTicks>(_ => Sender.Equals(_conditions), OnHoldTicks);
        Receive<ConditionsProtocol.ReleaseTicks>(_ => Sender.Equals(_conditions), OnReleaseTicks);
        Receive<GetSubscriptionStats>(_ => Sender.Tell(SubscriptionStats()));     // FeedSupervisor.Dashboard.cs
        Receive<TypeWanted>(m => FromSubscription(m.Code), OnTypeWanted);
        Receive<TypeUnwanted>(m => FromSubscription(m.Code), OnTypeUnwanted);
        Receive<Idle>(m => FromSubscription(m.Code), OnIdle);
        Receive<ConnectionPhase>(_ => FromConnection(), OnPhase);
        Receive<ConnectionUp>(_ => FromConnection(), OnConnectionUp);
        Receive<ItemsConfirmed>(_ => FromCurrentConnection(), OnConfirmed);
        Receive<ItemRejected>(_ => FromCurrentConnection(), OnRejected);
        Receive<SupervisionDecision>(_ => Sender.Equals(_tokens) || Sender.Equals(_connectionSupervisor), OnDecisionOnce);
        Receive<SupervisionDecision>(IsReRegistration, d => InterruptAll(d.Cause));   // from the EventStream: see IsReRegistration
        ReceiveAsync<FeedProtocol.Stop>(_ => StopGracefully());
        Receive<Terminated>(t => _stoppingNames.Remove(t.ActorRef.Path.Name));
        Receive<TypeWanted>(Ignore);
        Receive<TypeUnwanted>(Ignore);
        Receive<Idle>(Ignore);
        Receive<ConnectionPhase>(Ignore);
        Receive<ConnectionUp>(Ignore);
        Receive<ItemsConfirmed>(Ignore);
        Receive<ItemRejected>(Ignore);
        Receive<SupervisionDecision>(Ignore);
    }

    public static Props Props(ActorFeedSettings settings, FeedDependencies? deps = null) =>
        Akka.Actor.Props.Create(() => new FeedSupervisor(settings, deps ?? FeedDependencies.Real(settings)));

    protected override void PreStart()
    {
        // the data watchdog's re-registration step is published only (see IsReRegistration); subscribed before the
        // children exist, so that every decision of theirs arrives twice (published, then told: see OnDecisionOnce)
        Context.System.EventStream.Subscribe(Self, typeof(SupervisionDecision));
        var secrets = new[] { _settings.AppKey, _settings.SecretKey };
        var tokenPolicy = new BackoffPolicy(_settings.TokenBackoffMin, _settings.TokenBackoffMax, _settings.BackoffRandomFactor, _settings.PermanentFailureBackoff);
        var linkPolicy = new BackoffPolicy(_settings.BackoffMin, _settings.BackoffMax, _settings.BackoffRandomFactor, _settings.PermanentFailureBackoff);
        _tokens = Context.ActorOf(RestartSupervisor.Props(FeedComponent.Token,
            TokenActor.Props(_deps.TokenClient, _settings, _deps.Time), tokenPolicy, bufferWhileDown: true, secrets), FeedComponent.Token.Name());
        var metricTag = $"{Context.System.Name}/{Self.Path.Name}";
        _metricTag = new("feed", metricTag);
        _connectionSupervisor = Context.ActorOf(RestartSupervisor.Props(FeedComponent.Connection,
            ConnectionActor.Props(_settings, _deps.Transports, _tokens, Self, metricTag, new LoginRetryMemory(), _deps.Time, _market, new RegistrationSuspects()), linkPolicy, bufferWhileDown: false, secrets), FeedComponent.Connection.Name());
        _conditions = Context.ActorOf(ConditionsActor.Props(_settings, _deps.Time), "conditions");
        Context.Watch(_tokens);
        Context.Watch(_connectionSupervisor);
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    // ---------------------------------------------------------------- failures of its own and of its children

    /// <summary>
    /// The guard that keeps the desired set: an exception in a handler is logged at Error and the message counts as
    /// handled; the actor keeps its state and takes the next message (a restart would start from an empty set).
    /// The graceful stop runs asynchronously and catches its own exceptions (<see cref="StopGracefully"/>).
    /// </summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception e)
        {
            _log.Error(e, "Feed failed handling {MessageType} from {Sender}; it keeps its {Count} desired subscription(s) and goes on",
                message.GetType().Name, Sender, _desired.Count);
            return true;
        }
    }

    protected override SupervisorStrategy SupervisorStrategy() => ResumeChildren.Instance;

    /// <summary>
    /// A failing child keeps its state: a SubscriptionActor holds its code's subscribers, a RestartSupervisor its child
    /// and attempt count. Resumed with an Error log; only a child that could not even be created is restarted (it has
    /// no state yet), and <see cref="ActorKilledException"/> / <see cref="DeathPactException"/> stop it as usual.
    /// </summary>
    private sealed class ResumeChildren() : OneForOneStrategy(-1, -1, Decide, loggingEnabled: true)
    {
        public static readonly ResumeChildren Instance = new();

        private static Directive Decide(Exception e) => e switch
        {
            ActorInitializationException => Directive.Restart,
            ActorKilledException or DeathPactException => Directive.Stop,
            _ => Directive.Resume,
        };

        protected override void LogFailure(IActorContext context, IActorRef child, Exception cause, Directive directive) =>
            context.System.EventStream.Publish(new Error(cause, child.Path.ToString(), typeof(FeedSupervisor),
                directive == Directive.Resume
                    ? $"{child.Path.Name} failed ({cause.GetType().Name}: {cause.Message}); resumed with its state"
                    : $"{child.Path.Name} failed ({cause.GetType().Name}: {cause.Message}); {directive}"));
    }

    // ---------------------------------------------------------------- who may send the internal protocol

    private bool FromSubscription(string? code) =>
        code is not null && _subscriptions.TryGetValue(code, out var entry) && entry.Actor.Equals(Sender);

    /// <summary>A ConnectionActor of ours: the child of our connection supervisor (the current one or one that is dying).</summary>
    private bool FromConnection() => Sender.Path.Parent.Equals(_connectionSupervisor.Path) && !_connectionSupervisor.IsNobody();

    private bool FromCurrentConnection() => _connection is not null && Sender.Equals(_connection);

    private void Ignore(object m) => _log.Debug("Ignored {MessageType} from {Sender}: not from the actor that may send it", m.GetType().Name, Sender);

    // ---------------------------------------------------------------- subscribers

    private void OnSubscribe(Subscribe m)
    {
        var subscriber = m.Subscriber ?? Sender;
        if (Invalid(nameof(Subscribe), m.Code, m.Type, subscriber)) return;
        var entry = EntryFor(m.Code ?? "", create: true)!;
        entry.Forwarded++;
        entry.Actor.Tell(new AddSubscriber(m.Type, subscriber, Batched: m.Batched), Sender);
    }

    private void OnUnsubscribe(Unsubscribe m)
    {
        var subscriber = m.Subscriber ?? Sender;
        if (Invalid(nameof(Unsubscribe), m.Code, m.Type, subscriber)) return;
        var entry = EntryFor(m.Code ?? "", create: false);
        if (entry is null)
        {
            subscriber.Tell(new SubscriptionRemoved(m.Code ?? "", m.Type));
            return;
        }
        entry.Forwarded++;
        entry.Actor.Tell(new RemoveSubscriber(m.Type, subscriber), Sender);
    }

    /// <summary>
    /// Checks a request from the host (code, type, subscriber). An invalid one is answered with
    /// <see cref="SubscriptionRejected"/> to the subscriber and to the sender; when neither can be told (no subscriber
    /// and no sender), the rejection is published on the EventStream instead. Nothing reaches the server.
    /// </summary>
    private bool Invalid(string what, string? code, string? type, IActorRef? subscriber)
    {
        var error = InstrumentCode.Validate(code, type);
        var reachable = subscriber is not null && !subscriber.IsNobody() && !subscriber.Equals(Context.System.DeadLetters);
        if (error is null && !reachable)
            error = $"no subscriber: send {what} from an actor or set {what}.Subscriber";
        else if (error is null && subscriber is not IInternalActorRef)
            error = $"subscriber {subscriber} is not an actor of an actor system (it cannot be death-watched)";
        if (error is null) return false;
        _log.Warning("{Request} {Code}/{Type} rejected: {Reason}", what, code, type, error);
        var rejected = new SubscriptionRejected(code ?? "", type ?? "", error);
        var told = false;
        if (reachable)
        {
            subscriber!.Tell(rejected);
            told = true;
        }
        if (!Sender.Equals(subscriber) && !Sender.IsNobody() && !Sender.Equals(Context.System.DeadLetters))
        {
            Sender.Tell(rejected);
            told = true;
        }
        if (!told) Context.System.EventStream.Publish(rejected);
        return true;
    }

    private SubscriptionEntry? EntryFor(string code, bool create)
    {
        if (_subscriptions.TryGetValue(code, out var entry) || !create) return entry;
        var name = code.Length == 0 ? "account" : "sub-" + code;
        // a previous actor of this code may still be stopping: its name is not free until it has terminated
        if (_stoppingNames.Contains(name)) name += "-" + (++_incarnation).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var route = new TickRoute(code, _settings.StaleFloor, _paceClock);
        entry = new SubscriptionEntry(Context.ActorOf(SubscriptionActor.Props(code, (string)_metricTag.Value!, route), name), route);
        _subscriptions[code] = entry;
        Context.Watch(entry.Actor);
        return entry;
    }

    /// <summary>A condition's hold on a member's ticks (counted apart from the host's own Subscribe by its holder).</summary>
    private void OnHoldTicks(ConditionsProtocol.HoldTicks m)
    {
        if (InstrumentCode.Validate(m.Code, m.Type) is not null) return;
        var entry = EntryFor(m.Code, create: true)!;
        entry.Forwarded++;
        entry.Actor.Tell(new AddSubscriber(m.Type, m.Subscriber, m.Holder), ActorRefs.NoSender);
    }

    private void OnReleaseTicks(ConditionsProtocol.ReleaseTicks m)
    {
        if (EntryFor(m.Code, create: false) is not { } entry) return;
        entry.Forwarded++;
        entry.Actor.Tell(new RemoveSubscriber(m.Type, m.Subscriber, m.Holder), ActorRefs.NoSender);
    }

    private void OnIdle(Idle m)
    {
        var entry = _subscriptions[m.Code];
        if (entry.Forwarded != m.Handled) return; // a request is on its way to it: it is not idle after all
        _subscriptions.Remove(m.Code);
        _stoppingNames.Add(entry.Actor.Path.Name);
        Context.Stop(entry.Actor);
    }

    // ---------------------------------------------------------------- desired set

    private void OnTypeWanted(TypeWanted m)
    {
        var item = new RegistrationItem(m.Code, m.Type);
        var state = new ItemState();
        if (_desired.TryAdd(item, state)) FeedMetrics.ActiveSubscriptions.Add(1, _metricTag);
        else state = _desired[item];
        UpdateUnconfirmed();
        if (_connection is null) return;
        state.Requested = true;
        var routes = new Dictionary<string, TickRoute>(StringComparer.Ordinal);
        if (_subscriptions.TryGetValue(m.Code, out var entry)) routes[m.Code] = entry.Route;
        _connection.Tell(new RegisterItems([item], routes));
    }

    private void OnTypeUnwanted(TypeUnwanted m)
    {
        var item = new RegistrationItem(m.Code, m.Type);
        if (!Forget(item, out var state)) return;
        if (_connection is null || !state.Requested) return;
        var codeStillWanted = _desired.Keys.Any(k => k.Code == m.Code);
        _connection.Tell(new UnregisterItems([item], codeStillWanted ? [] : [m.Code]));
    }

    private bool Forget(RegistrationItem item, out ItemState state)
    {
        if (!_desired.Remove(item, out state!)) return false;
        FeedMetrics.ActiveSubscriptions.Add(-1, _metricTag);
        if (state.Confirmed) _confirmed--;
        UpdateUnconfirmed();
        return true;
    }

    private void OnConnectionUp(ConnectionUp m)
    {
        _connection = Sender;
        _conditions.Tell(new ConditionsProtocol.ConnectionAvailable(Sender));
        if (_lostAt is { } lost)
        {
            FeedMetrics.RecoveryTime.Record((m.At - lost).TotalSeconds, _metricTag);
            _lostAt = null;
        }
        foreach (var state in _desired.Values)
        {
            state.Requested = true;
            state.Confirmed = false;
        }
        _confirmed = 0;
        UpdateUnconfirmed();
        SetStatus(_status with { State = FeedState.Connected, Cause = null, Attempt = 0, NextRetryAt = null, ConnectedSince = m.At, IsPermanentFailure = false, DownSince = null });
        if (_desired.Count == 0) return;
        _log.Info("Replaying {Count} subscription(s) to the new connection", _desired.Count);
        var routes = _subscriptions.ToDictionary(kv => kv.Key, kv => kv.Value.Route, StringComparer.Ordinal);
        _connection.Tell(new RegisterItems(_desired.Keys.ToList(), routes));
    }

    private void OnConfirmed(ItemsConfirmed m)
    {
        foreach (var item in m.Items)
        {
            if (!_desired.TryGetValue(item, out var state) || state.Confirmed) continue;
            state.Confirmed = true;
            _confirmed++;
            if (!_subscriptions.TryGetValue(item.Code, out var entry)) continue;
            entry.Route.Confirmed(item.Type, _deps.Time.GetUtcNow());
            entry.Actor.Tell(new TypeConfirmed(item.Type));
        }
        UpdateUnconfirmed();
    }

    private void OnRejected(ItemRejected m)
    {
        if (!Forget(m.Item, out _)) return;
        if (_subscriptions.TryGetValue(m.Item.Code, out var entry)) entry.Actor.Tell(new TypeRejected(m.Item.Type, m.Reason));
    }

    /// <summary>Keeps <see cref="FeedStatus.UnconfirmedSince"/>: set when confirmed falls below desired, cleared when they meet.</summary>
    private void UpdateUnconfirmed()
    {
        if (_confirmed < _desired.Count) _unconfirmedSince ??= _deps.Time.GetUtcNow();
        else _unconfirmedSince = null;
    }

    // ---------------------------------------------------------------- status

    private void OnPhase(ConnectionPhase m)
    {
        // keep the cause of the last failure visible while we try again
        SetStatus(_status with { State = _status.IsPermanentFailure ? FeedState.Failed : m.State, NextRetryAt = null });
    }

    private void OnDecision(SupervisionDecision d)
    {
        var permanent = d.Kind == FailureKind.Permanent;
        if (d.Component == FeedComponent.Connection)
        {
            var now = _deps.Time.GetUtcNow();
            _flaps.Drop(now);
            _connection = null;
            _lostAt ??= d.RestartAt - d.Delay;
            foreach (var state in _desired.Values)
            {
                state.Requested = false;
                state.Confirmed = false;
            }
            _confirmed = 0;
            UpdateUnconfirmed();
            InterruptAll(d.Cause);
            SetStatus(_status with { State = permanent ? FeedState.Failed : FeedState.Reconnecting, Cause = d.Cause, Attempt = d.Attempt, NextRetryAt = d.RestartAt, ConnectedSince = null, IsPermanentFailure = permanent, DownSince = _status.DownSince ?? now });
        }
        else if (_connection is null)
        {
            SetStatus(_status with { State = permanent ? FeedState.Failed : FeedState.Authenticating, Cause = d.Cause, Attempt = d.Attempt, NextRetryAt = d.RestartAt, IsPermanentFailure = permanent });
        }
    }

    private FeedStatus CurrentStatus()
    {
        var now = _deps.Time.GetUtcNow();
        return _status with
        {
            DesiredSubscriptions = _desired.Count,
            ConfirmedSubscriptions = _confirmed,
            RecentDrops = _flaps.RecentDrops(now),
            FlappingSince = _flaps.FlappingSince(now),
            UnconfirmedSince = _unconfirmedSince,
            StaleCodes = StaleCodes(now),
        };
    }

    // ---------------------------------------------------------------- data truth: gaps and stale codes (issue 11)

    /// <summary>
    /// The data of every pair stopped (<paramref name="cause"/>: the link was lost, or the data stopped and the pairs
    /// are registered again): each route marks its confirmed types, whose first tick after brings their subscribers a
    /// <see cref="SubscriptionGap"/> (<see cref="TickRoute.Interrupt"/>). Done here, synchronously, rather than through
    /// the SubscriptionActors: the mark is in place before the replay's REG goes out, so no tick can come first.
    /// </summary>
    private void InterruptAll(string cause)
    {
        foreach (var entry in _subscriptions.Values) entry.Route.Interrupt(cause);
    }

    /// <summary>The data watchdog's first step: no REAL for data-timeout, the confirmed pairs are registered again on the
    /// same link (cause "no data", attempt 0, no delay). The connection publishes it on the EventStream only; published
    /// from within the ConnectionActor, it comes with that actor as the sender, so only our current connection's counts.
    /// The restart step reaches <see cref="OnDecision"/> from the restart supervisor.</summary>
    private bool IsReRegistration(SupervisionDecision d) =>
        FromCurrentConnection() && d is { Component: FeedComponent.Connection, Attempt: 0, Cause: NoDataCause };

    /// <summary>A restart supervisor publishes each decision and then tells it to us, the same instance: handle it once.</summary>
    private void OnDecisionOnce(SupervisionDecision d)
    {
        if (_decisionsSeen.Remove(d)) return;
        _decisionsSeen.Add(d);
        OnDecision(d);
    }

    private readonly HashSet<SupervisionDecision> _decisionsSeen = new(ReferenceEqualityComparer.Instance);

    /// <summary>The cause of the data watchdog's decisions (FeedFailureException.Causes.NoData where the watchdog is merged).</summary>
    private const string NoDataCause = "no data";

    /// <summary>
    /// Codes silent for much longer than their own pace (<see cref="PaceTracker"/>, floor
    /// <see cref="ActorFeedSettings.StaleFloor"/>) while connected, confirmed on this connection, and in a session in which the
    /// calendar expects data (narrowed by 0s session pushes: <see cref="MarketSignals"/>); sorted. Empty otherwise.
    /// </summary>
    private IReadOnlyList<string> StaleCodes(DateTimeOffset now)
    {
        if (_connection is null || _subscriptions.Count == 0) return [];
        List<string>? stale = null;
        HashSet<string>? confirmedCodes = null;   // built only when some code is silent: a status is asked often
        foreach (var (code, entry) in _subscriptions)
        {
            var route = entry.Route;
            if (code.Length == 0 || !route.Pace.IsStale(route.NowMs()) || !_market.ExpectsData(now, code)) continue;
            confirmedCodes ??= _desired.Where(kv => kv.Value.Confirmed).Select(kv => kv.Key.Code).ToHashSet(StringComparer.Ordinal);
            if (confirmedCodes.Contains(code)) (stale ??= []).Add(code);
        }
        if (stale is null) return [];
        stale.Sort(StringComparer.Ordinal);
        return stale;
    }

    private void SetStatus(FeedStatus next)
    {
        var changed = next.State != _status.State || next.Cause != _status.Cause || next.Attempt != _status.Attempt;
        _status = next;
        if (!changed) return;
        _log.Info("Feed {State}{Cause}", next.State, next.Cause is null ? "" : $" ({next.Cause}, attempt {next.Attempt})");
        Context.System.EventStream.Publish(new FeedStatusChanged(CurrentStatus()));
    }

    // ---------------------------------------------------------------- shutdown

    /// <summary>
    /// REMOVE what the server holds, close with 1000 (bounded by <see cref="ActorFeedSettings.ShutdownTimeout"/>; a
    /// connection that dies meanwhile ends the wait), revoke the token only if
    /// <see cref="ActorFeedSettings.RevokeTokenOnStop"/> (bounded likewise), then stop. The connection supervisor is
    /// told first never to restart its child again: a failure while closing must not open a new link. Runs outside
    /// <see cref="AroundReceive"/>'s guard (asynchronously), so it catches everything itself and always stops.
    /// </summary>
    private async Task StopGracefully()
    {
        var requester = Sender;
        try
        {
            _connectionSupervisor.Tell(StopRestarting.Instance);
            _log.Info("Stopping: REMOVE {Count} subscription(s), close the socket{Revoke}", _desired.Count,
                _settings.RevokeTokenOnStop ? ", revoke the token" : " (the token is left to expire: revoke-on-stop is off)");
            if (_connection is { } connection)
            {
                var confirmed = _desired.Where(kv => kv.Value.Requested).Select(kv => kv.Key).ToList();
                using var watching = new CancellationTokenSource();
                var closed = connection.Ask<Closed>(new CloseGracefully(confirmed), _settings.ShutdownTimeout);
                var died = connection.WatchAsync(watching.Token);
                if (await Task.WhenAny(closed, died) == closed && closed.IsCompletedSuccessfully) await closed;
                else if (!closed.IsCompleted) _log.Warning("The connection stopped before it had closed gracefully");
                else _log.Warning("Graceful close timed out after {Timeout}", _settings.ShutdownTimeout);
                await watching.CancelAsync();
            }
            if (_settings.RevokeTokenOnStop)
            {
                try { await _tokens.Ask<TokenProtocol.TokenRevoked>(TokenProtocol.RevokeToken.Instance, _settings.ShutdownTimeout); }
                catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { _log.Warning("Token revoke timed out after {Timeout}", _settings.ShutdownTimeout); }
            }
        }
        catch (Exception e)
        {
            _log.Error(e, "Graceful stop failed; stopping anyway");
        }
        finally
        {
            _connection = null;
            SetStatus(_status with { State = FeedState.Stopped, Cause = null, NextRetryAt = null, ConnectedSince = null });
            requester.Tell(FeedProtocol.Stopped.Instance);
            Context.Stop(Self);
        }
    }

    private sealed class ItemState
    {
        public bool Requested;
        public bool Confirmed;
    }

    private sealed class SubscriptionEntry(IActorRef actor, TickRoute route)
    {
        public IActorRef Actor { get; } = actor;
        public TickRoute Route { get; } = route;
        public long Forwarded;
    }
}
