using Akka.Actor;
using Akka.Event;
using ActorFeed.Diagnostics;
using ActorFeed.Kiwoom;
using ActorFeed.Messages;
using ActorFeed.Settings;
using ActorFeed.Subscriptions;
using ActorFeed.Supervision;
using ActorFeed.Token;
using ActorFeed.Transport;
using static ActorFeed.Connection.ConnectionProtocol;
using static ActorFeed.Supervision.FeedFailureException;

namespace ActorFeed.Connection;

/// <summary>
/// One WebSocket session, as a state machine: <c>Authenticating</c> (waits for a token) → <c>Connecting</c>
/// (socket open, connect timeout) → <c>LoggingIn</c> (LOGIN, login timeout) → <c>Online</c> (PING echo, idle
/// watchdog, data watchdog, REG/REMOVE through the <see cref="RegistrationQueue"/>) → <c>Closing</c> (graceful).
/// The socket's receive and send loops (<see cref="SocketLoops"/>) talk to it by message; REAL ticks go from the
/// receive loop straight to subscribers and never pass through here.
/// Every link failure is thrown: the parent <see cref="RestartSupervisor"/> restarts a fresh instance after a
/// backoff. The connection holds no desired state: the FeedSupervisor replays it on every <see cref="ConnectionUp"/>.
/// This file is the state machine; frames, registrations and failures are in <c>ConnectionActor.Handlers.cs</c>.
/// </summary>
internal sealed partial class ConnectionActor : ReceiveActor, IWithTimers
{
    private readonly ActorFeedSettings _settings;
    private readonly ITransportFactory _transports;
    private readonly IActorRef _tokens;
    private readonly IActorRef _feed;
    private readonly KeyValuePair<string, object?> _metricTag;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SocketLoops _socket;
    private readonly RegistrationQueue _registrations;
    private readonly ConditionRequests _conditionRequests;
    private IActorRef? _conditions;                      // who asked for condition search on this connection: its outcomes and changes go there
    private bool _conditionPause;                        // a rate-limited condition request waits for its pause
    private int _conditionRateLimits;                    // consecutive rate-limited condition replies
    private readonly LoginRetryMemory _loginRetry;
    private readonly BackoffPolicy _rateLimitBackoff;   // pause before resending a rate-limited request: backoff.min doubling, up to backoff.max, no jitter
    private readonly TimeProvider _time;                // "now" for the market calendar
    private readonly MarketSignals _market;             // when silence is normal (the data watchdog is not armed): the calendar, refined by 0s pushes
    private readonly HashSet<RegistrationItem> _confirmedItems = [];   // REG accepted on this connection, not REMOVEd since
    private int _dataSilentChecks;   // data checks in a row that saw no REAL while data was expected
    private bool _reregistered;      // step 1 of the data watchdog was taken and no REAL came since
    private bool _realOnThisLink;    // a REAL came on this connection: only then can silence mean that data stopped
    private string? _token;
    private int _silentChecks;
    private bool _pacing;            // a pause runs: replay-batch-interval, or the wait before resending a rate-limited request
    private bool _spacing;           // less than 1 / max-requests-per-second since the last send
    private int _rateLimitsInARow;   // consecutive rate-limit replies; the next accepted or refused reply resets it
    private IActorRef? _closeRequester;

    public ConnectionActor(ActorFeedSettings settings, ITransportFactory transports, IActorRef tokens, IActorRef feed, string metricTag,
        LoginRetryMemory loginRetry, TimeProvider time, MarketSignals market, RegistrationSuspects suspects)
    {
        _time = time;
        _market = market;
        _loginRetry = loginRetry;
        _settings = settings;
        _transports = transports;
        _tokens = tokens;
        _feed = feed;
        _metricTag = new("feed", metricTag);
        var limit = settings.MaxPendingTicks > 0 ? new PendingTickLimit(settings.MaxPendingTicks, Context.System.Scheduler, _metricTag) : null;
        _socket = new SocketLoops(_metricTag, limit, signals: market, time: time);
        _registrations = new RegistrationQueue(settings.MaxItemsPerRequest, suspects);
        _rateLimitBackoff = new BackoffPolicy(settings.BackoffMin, settings.BackoffMax, 0, settings.BackoffMax);
        var scheduler = Context.System.Scheduler;       // a dropped condition request's late reply is awaited twice the request timeout
        _conditionRequests = new ConditionRequests(() => scheduler.Now, 2 * settings.RequestTimeout);
    }

    /// <summary>The connection's props; <paramref name="loginRetry"/> is shared by every incarnation of this feed's
    /// connection (see <see cref="LoginRetryMemory"/>): create it once, where these props are made. <paramref name="time"/>
    /// and <paramref name="market"/> tell the data watchdog whether data is expected now; <paramref name="market"/> is the
    /// feed's one <see cref="MarketSignals"/> (the receive loop teaches it what 0s pushes say; the feed's staleness check
    /// reads it too); <paramref name="suspects"/>, shared like <paramref name="loginRetry"/>, bounds what an unexplained
    /// REG refusal costs (see <see cref="RegistrationSuspects"/>).</summary>
    public static Props Props(ActorFeedSettings settings, ITransportFactory transports, IActorRef tokens, IActorRef feed, string metricTag,
        LoginRetryMemory loginRetry, TimeProvider time, MarketSignals market, RegistrationSuspects suspects) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(settings, transports, tokens, feed, metricTag, loginRetry, time, market, suspects));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Authenticating();

    protected override void PostStop() => _socket.Dispose();

    private void Authenticating()
    {
        _feed.Tell(new ConnectionPhase(FeedState.Authenticating));
        _tokens.Tell(TokenProtocol.GetToken.Instance);
        // A token actor that fails forgets who was waiting: ask again (a local message, no server traffic)
        // every token.backoff-min until a token arrives.
        Timers.StartPeriodicTimer(AskToken.Instance, AskToken.Instance, _settings.TokenBackoffMin);
        Become(() =>
        {
            Receive<AskToken>(_ => _tokens.Tell(TokenProtocol.GetToken.Instance));
            Receive<TokenIssue>(issue =>
            {
                Timers.Cancel(AskToken.Instance);
                _token = issue.Token;
                Connecting();
            });
            Common();
        });
    }

    private void Connecting()
    {
        _feed.Tell(new ConnectionPhase(FeedState.Connecting));
        FeedMetrics.ConnectionAttempts.Add(1, _metricTag);
        var transport = _transports.Create();
        Timers.StartSingleTimer(ConnectTimedOut.Instance, ConnectTimedOut.Instance, _settings.ConnectTimeout);
        _socket.ConnectAsync(transport, _settings.WebSocketUrl)
            .PipeTo(Self, success: () => Opened.Instance, failure: e => new LinkFailed(e));
        Become(() =>
        {
            Receive<Opened>(_ =>
            {
                Timers.Cancel(ConnectTimedOut.Instance);
                _socket.Start(Self);
                LoggingIn();
                _socket.Send(KiwoomEncoder.Login(_token!));
            });
            Receive<ConnectTimedOut>(_ => throw Fail(Causes.ConnectTimeout, FailureKind.Transient,
                $"socket to {_settings.WebSocketUrl} not open within {_settings.ConnectTimeout}"));
            Common();
        });
    }

    private void LoggingIn()
    {
        Timers.StartSingleTimer(LoginTimedOut.Instance, LoginTimedOut.Instance, _settings.LoginTimeout);
        Become(() =>
        {
            Receive<FrameReceived>(f =>
            {
                if (f.Frame is not LoginReplyFrame reply)
                {
                    OnFrame(f);
                    return;
                }
                if (!reply.Success) throw LoginFailed(reply);
                Timers.Cancel(LoginTimedOut.Instance);
                _loginRetry.LoggedIn();
                Online();
            });
            Receive<LoginTimedOut>(_ => throw Fail(Causes.LoginTimeout, FailureKind.Transient, $"no LOGIN reply within {_settings.LoginTimeout}"));
            Common();
        });
    }

    private void Online()
    {
        Timers.StartPeriodicTimer(IdleCheck.Instance, IdleCheck.Instance, _settings.IdleTimeout / 2);
        if (_settings.DataTimeout > TimeSpan.Zero)
            Timers.StartPeriodicTimer(DataCheck.Instance, DataCheck.Instance, _settings.DataTimeout / DataChecksPerTimeout);
        if (_settings.BackoffResetAfter > TimeSpan.Zero)
            Timers.StartSingleTimer(Stable.Instance, Stable.Instance, _settings.BackoffResetAfter);
        else
            Context.Parent.Tell(BackoffReset.Instance);
        _log.Info("Connected to {Url}", _settings.WebSocketUrl);
        if (_market.NewConnection(_time.GetUtcNow()) is { } dropped) _log.Info(dropped);   // before any REG: no push of this link is lost
        _feed.Tell(new ConnectionUp(DateTimeOffset.UtcNow));
        Become(() =>
        {
            Receive<FrameReceived>(OnFrame);
            Receive<IdleCheck>(_ => CheckIdle());
            Receive<DataCheck>(_ => CheckData());
            Receive<Stable>(_ => Context.Parent.Tell(BackoffReset.Instance));
            Receive<RegisterItems>(m =>
            {
                foreach (var (code, route) in m.Routes) _socket.Routes[code] = route;
                Enqueue(RegistrationKind.Register, m.Items);
            });
            Receive<UnregisterItems>(m =>
            {
                foreach (var code in m.ForgetCodes) _socket.Routes.TryRemove(code, out _);
                _confirmedItems.ExceptWith(m.Items);
                Enqueue(RegistrationKind.Remove, m.Items);
            });
            Conditions();
            Receive<CloseGracefully>(m =>
            {
                _closeRequester = Sender;
                Timers.StartSingleTimer(CloseTimedOut.Instance, CloseTimedOut.Instance, _settings.ShutdownTimeout);
                // closing: REGs still waiting are pointless, and neither pacing nor a pause may hold up the REMOVEs
                _registrations.DropWaiting(RegistrationKind.Register);
                _pacing = _spacing = false;
                Enqueue(RegistrationKind.Remove, m.Items);
                Closing();
                _log.Debug("Closing: REMOVE {Count} item(s), then close the socket", m.Items.Count);
            });
            Requests();
            Common();
        });
    }

    private void Closing()
    {
        Become(() =>
        {
            // A REMOVE the server does not answer must not fail the link now (its restart would reconnect during
            // shutdown): give up on the rest and close with 1000 at once.
            Receive<RequestTimedOut>(_ =>
            {
                _log.Warning("No reply to {Request} within {Timeout} while closing; closing without waiting for the rest",
                    _registrations.InFlight, _settings.RequestTimeout);
                _socket.Close();
            });
            Receive<FrameReceived>(OnFrame);
            Receive<IdleCheck>(_ => { });
            Receive<DataCheck>(_ => { });
            Receive<RegisterItems>(_ => { });
            Receive<UnregisterItems>(_ => { });
            Receive<ConditionCommand>(_ => { });
            Receive<ConditionTimedOut>(_ => { });
            Receive<ConditionPauseElapsed>(_ => { });
            Receive<ConditionHoldElapsed>(_ => { });
            Receive<ConditionPushed>(_ => { });
            Receive<CloseDone>(_ => FinishClose());
            Receive<CloseTimedOut>(_ => FinishClose());
            Receive<LinkClosed>(_ => FinishClose());
            Receive<LinkFailed>(_ => FinishClose());
            Receive<FlushLog>(m => Flush(m.Log, Context.System.Scheduler.Now));
            Receive<MarketSignalChanged>(m => _log.Info(m.Line));
            Requests();
        });
        CloseWhenDrained();
    }

    /// <summary>Handlers every state shares: a broken link is thrown to the supervisor.</summary>
    private void Common()
    {
        Receive<FlushLog>(m => Flush(m.Log, Context.System.Scheduler.Now));
        Receive<MarketSignalChanged>(m => _log.Info(m.Line));
        Receive<LinkFailed>(m => throw Classify(m.Error));
        Receive<LinkClosed>(m => throw Fail(Causes.ServerClosed, FailureKind.Transient,
            $"close status {(int?)m.Status} {m.Status} '{m.Description}'"));
        Receive<CloseGracefully>(_ =>
        {
            Sender.Tell(Closed.Instance);
            Context.Stop(Self);
        });
    }

    /// <summary>REG / REMOVE timeouts, pauses and pacing (Online and Closing).</summary>
    private void Requests()
    {
        Receive<RequestTimedOut>(_ => throw Fail(Causes.RequestTimeout, FailureKind.Transient,
            $"no reply to {_registrations.InFlight} within {_settings.RequestTimeout}"));
        Receive<PaceElapsed>(_ =>
        {
            _pacing = false;
            SendNextRequest();
        });
        Receive<SpacingElapsed>(_ =>
        {
            _spacing = false;
            SendNextRequest();
        });
    }
}
