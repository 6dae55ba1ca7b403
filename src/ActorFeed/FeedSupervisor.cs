using Akka.Actor;
using Akka.Event;
using ActorFeed.Diagnostics;
using ActorFeed.Messages;
using ActorFeed.Settings;
using ActorFeed.Connection;
using ActorFeed.Kiwoom;
using ActorFeed.Subscriptions;
using ActorFeed.Supervision;
using ActorFeed.Token;
using static ActorFeed.Connection.ConnectionProtocol;
using static ActorFeed.Subscriptions.SubscriptionProtocol;

namespace ActorFeed;

/// <summary>
/// The public entry point (<c>/user/actorfeed</c>). Validates <see cref="Subscribe"/> and answers bad input with
/// <see cref="SubscriptionRejected"/> without any traffic; owns the desired set of code/type pairs (with the
/// SubscriptionActors, one per code); replays the whole set on every <see cref="ConnectionUp"/>, so a
/// connection restart loses nothing; keeps <see cref="FeedStatus"/> and publishes <see cref="FeedStatusChanged"/>.
/// Children: <c>token</c> and <c>connection</c> (each under a <see cref="RestartSupervisor"/>) and
/// <c>sub-{code}</c> / <c>account</c>.
/// </summary>
internal sealed class FeedSupervisor : ReceiveActor
{
    private readonly ActorFeedSettings _settings;
    private readonly FeedDependencies _deps;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<RegistrationItem, ItemState> _desired = [];
    private readonly Dictionary<string, SubscriptionEntry> _subscriptions = new(StringComparer.Ordinal);
    private IActorRef _tokens = ActorRefs.Nobody;
    private IActorRef _connectionSupervisor = ActorRefs.Nobody;
    private IActorRef? _connection;
    private FeedStatus _status;
    private DateTimeOffset? _lostAt;
    private readonly HashSet<string> _stoppingNames = new(StringComparer.Ordinal);
    private int _incarnation;
    private KeyValuePair<string, object?> _metricTag;

    public FeedSupervisor(ActorFeedSettings settings, FeedDependencies deps)
    {
        _settings = settings;
        _deps = deps;
        _status = new(FeedState.Authenticating, null, 0, null, null, 0, 0, false, deps.Time.GetUtcNow());

        Receive<Subscribe>(OnSubscribe);
        Receive<Unsubscribe>(OnUnsubscribe);
        Receive<GetFeedStatus>(_ => Sender.Tell(CurrentStatus()));
        Receive<TypeWanted>(OnTypeWanted);
        Receive<TypeUnwanted>(OnTypeUnwanted);
        Receive<Idle>(OnIdle);
        Receive<ConnectionPhase>(OnPhase);
        Receive<ConnectionUp>(OnConnectionUp);
        Receive<ItemsConfirmed>(OnConfirmed);
        Receive<ItemRejected>(OnRejected);
        Receive<SupervisionDecision>(OnDecision);
        ReceiveAsync<FeedProtocol.Stop>(_ => StopGracefully());
        Receive<Terminated>(t => _stoppingNames.Remove(t.ActorRef.Path.Name));
    }

    public static Props Props(ActorFeedSettings settings, FeedDependencies? deps = null) =>
        Akka.Actor.Props.Create(() => new FeedSupervisor(settings, deps ?? FeedDependencies.Real(settings)));

    protected override void PreStart()
    {
        var secrets = new[] { _settings.AppKey, _settings.SecretKey };
        var tokenPolicy = new BackoffPolicy(_settings.TokenBackoffMin, _settings.TokenBackoffMax, _settings.BackoffRandomFactor, _settings.PermanentFailureBackoff);
        var linkPolicy = new BackoffPolicy(_settings.BackoffMin, _settings.BackoffMax, _settings.BackoffRandomFactor, _settings.PermanentFailureBackoff);
        _tokens = Context.ActorOf(RestartSupervisor.Props(FeedComponent.Token,
            TokenActor.Props(_deps.TokenClient, _settings, _deps.Time), tokenPolicy, bufferWhileDown: true, secrets), FeedComponent.Token.Name());
        var metricTag = $"{Context.System.Name}/{Self.Path.Name}";
        _metricTag = new("feed", metricTag);
        _connectionSupervisor = Context.ActorOf(RestartSupervisor.Props(FeedComponent.Connection,
            ConnectionActor.Props(_settings, _deps.Transports, _tokens, Self, metricTag, new LoginRetryMemory()), linkPolicy, bufferWhileDown: false, secrets), FeedComponent.Connection.Name());
        Context.Watch(_tokens);
        Context.Watch(_connectionSupervisor);
    }

    // ---------------------------------------------------------------- subscribers

    private void OnSubscribe(Subscribe m)
    {
        var subscriber = m.Subscriber ?? Sender;
        var error = InstrumentCode.Validate(m.Code, m.Type);
        if (error is null && (subscriber.IsNobody() || subscriber.Equals(Context.System.DeadLetters)))
            error = "no subscriber: send Subscribe from an actor or set Subscribe.Subscriber";
        if (error is not null)
        {
            _log.Warning("Subscribe {Code}/{Type} rejected: {Reason}", m.Code, m.Type, error);
            var rejected = new SubscriptionRejected(m.Code ?? "", m.Type ?? "", error);
            subscriber.Tell(rejected);
            if (!Sender.Equals(subscriber)) Sender.Tell(rejected);
            return;
        }
        var entry = EntryFor(m.Code ?? "", create: true)!;
        entry.Forwarded++;
        entry.Actor.Tell(m with { Subscriber = subscriber, Code = m.Code ?? "" }, Sender);
    }

    private void OnUnsubscribe(Unsubscribe m)
    {
        var subscriber = m.Subscriber ?? Sender;
        var entry = EntryFor(m.Code ?? "", create: false);
        if (entry is null)
        {
            subscriber.Tell(new SubscriptionRemoved(m.Code ?? "", m.Type ?? ""));
            return;
        }
        entry.Forwarded++;
        entry.Actor.Tell(m with { Subscriber = subscriber, Code = m.Code ?? "" }, Sender);
    }

    private SubscriptionEntry? EntryFor(string code, bool create)
    {
        if (_subscriptions.TryGetValue(code, out var entry) || !create) return entry;
        var name = code.Length == 0 ? "account" : "sub-" + code;
        // a previous actor of this code may still be stopping: its name is not free until it has terminated
        if (_stoppingNames.Contains(name)) name += "-" + (++_incarnation).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var route = new TickRoute(code);
        entry = new SubscriptionEntry(Context.ActorOf(SubscriptionActor.Props(code, (string)_metricTag.Value!, route), name), route);
        _subscriptions[code] = entry;
        Context.Watch(entry.Actor);
        return entry;
    }

    private void OnIdle(Idle m)
    {
        if (!_subscriptions.TryGetValue(m.Code, out var entry) || !entry.Actor.Equals(Sender) || entry.Forwarded != m.Handled)
            return; // a request is on its way to it: it is not idle after all
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
        if (_connection is null) return;
        state.Requested = true;
        var routes = new Dictionary<string, TickRoute>(StringComparer.Ordinal);
        if (_subscriptions.TryGetValue(m.Code, out var entry)) routes[m.Code] = entry.Route;
        _connection.Tell(new RegisterItems([item], routes));
    }

    private void OnTypeUnwanted(TypeUnwanted m)
    {
        var item = new RegistrationItem(m.Code, m.Type);
        if (!_desired.Remove(item, out var state)) return;
        FeedMetrics.ActiveSubscriptions.Add(-1, _metricTag);
        if (_connection is null || !state.Requested) return;
        var codeStillWanted = _desired.Keys.Any(k => k.Code == m.Code);
        _connection.Tell(new UnregisterItems([item], codeStillWanted ? [] : [m.Code]));
    }

    private void OnConnectionUp(ConnectionUp m)
    {
        _connection = Sender;
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
        SetStatus(_status with { State = FeedState.Connected, Cause = null, Attempt = 0, NextRetryAt = null, ConnectedSince = m.At, IsPermanentFailure = false, DownSince = null });
        if (_desired.Count == 0) return;
        _log.Info("Replaying {Count} subscription(s) to the new connection", _desired.Count);
        var routes = _subscriptions.ToDictionary(kv => kv.Key, kv => kv.Value.Route, StringComparer.Ordinal);
        _connection.Tell(new RegisterItems(_desired.Keys.ToList(), routes));
    }

    private void OnConfirmed(ItemsConfirmed m)
    {
        if (!Sender.Equals(_connection)) return; // from a connection that has died since
        foreach (var item in m.Items)
        {
            if (!_desired.TryGetValue(item, out var state) || state.Confirmed) continue;
            state.Confirmed = true;
            if (_subscriptions.TryGetValue(item.Code, out var entry)) entry.Actor.Tell(new TypeConfirmed(item.Type));
        }
    }

    private void OnRejected(ItemRejected m)
    {
        if (!Sender.Equals(_connection) || !_desired.Remove(m.Item)) return;
        FeedMetrics.ActiveSubscriptions.Add(-1, _metricTag);
        if (_subscriptions.TryGetValue(m.Item.Code, out var entry)) entry.Actor.Tell(new TypeRejected(m.Item.Type, m.Reason));
    }

    // ---------------------------------------------------------------- status

    private void OnPhase(ConnectionPhase m)
    {
        if (!Sender.Path.Parent.Equals(_connectionSupervisor.Path)) return;
        // keep the cause of the last failure visible while we try again
        SetStatus(_status with { State = _status.IsPermanentFailure ? FeedState.Failed : m.State, NextRetryAt = null });
    }

    private void OnDecision(SupervisionDecision d)
    {
        var permanent = d.Kind == FailureKind.Permanent;
        if (d.Component == FeedComponent.Connection)
        {
            _connection = null;
            _lostAt ??= d.RestartAt - d.Delay;
            foreach (var state in _desired.Values)
            {
                state.Requested = false;
                state.Confirmed = false;
            }
            SetStatus(_status with { State = permanent ? FeedState.Failed : FeedState.Reconnecting, Cause = d.Cause, Attempt = d.Attempt, NextRetryAt = d.RestartAt, ConnectedSince = null, IsPermanentFailure = permanent, DownSince = _status.DownSince ?? _deps.Time.GetUtcNow() });
        }
        else if (_connection is null)
        {
            SetStatus(_status with { State = permanent ? FeedState.Failed : FeedState.Authenticating, Cause = d.Cause, Attempt = d.Attempt, NextRetryAt = d.RestartAt, IsPermanentFailure = permanent });
        }
    }

    private FeedStatus CurrentStatus() => _status with
    {
        DesiredSubscriptions = _desired.Count,
        ConfirmedSubscriptions = _desired.Values.Count(s => s.Confirmed),
    };

    private void SetStatus(FeedStatus next)
    {
        var changed = next.State != _status.State || next.Cause != _status.Cause || next.Attempt != _status.Attempt;
        _status = next;
        if (!changed) return;
        _log.Info("Feed {State}{Cause}", next.State, next.Cause is null ? "" : $" ({next.Cause}, attempt {next.Attempt})");
        Context.System.EventStream.Publish(new FeedStatusChanged(CurrentStatus()));
    }

    // ---------------------------------------------------------------- shutdown

    private async Task StopGracefully()
    {
        var requester = Sender;
        _log.Info("Stopping: REMOVE {Count} subscription(s), close the socket, revoke the token", _desired.Count);
        if (_connection is { } connection)
        {
            var confirmed = _desired.Where(kv => kv.Value.Requested).Select(kv => kv.Key).ToList();
            try { await connection.Ask<Closed>(new CloseGracefully(confirmed), _settings.ShutdownTimeout); }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { _log.Warning("Graceful close timed out after {Timeout}", _settings.ShutdownTimeout); }
        }
        try { await _tokens.Ask<TokenProtocol.TokenRevoked>(TokenProtocol.RevokeToken.Instance, _settings.ShutdownTimeout); }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { _log.Warning("Token revoke timed out after {Timeout}", _settings.ShutdownTimeout); }
        _connection = null;
        SetStatus(_status with { State = FeedState.Stopped, Cause = null, NextRetryAt = null, ConnectedSince = null });
        requester.Tell(FeedProtocol.Stopped.Instance);
        Context.Stop(Self);
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
