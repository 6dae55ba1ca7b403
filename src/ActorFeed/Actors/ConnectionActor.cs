using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using ActorFeed.Auth;
using ActorFeed.Diagnostics;
using ActorFeed.Messages;
using ActorFeed.Protocol.Kiwoom;
using ActorFeed.Settings;
using ActorFeed.Transport;
using static ActorFeed.Actors.ConnectionProtocol;
using static ActorFeed.Actors.FeedFailureException;

namespace ActorFeed.Actors;

/// <summary>
/// One WebSocket session, as a state machine: <c>Authenticating</c> (waits for a token) → <c>Connecting</c>
/// (socket open, connect timeout) → <c>LoggingIn</c> (LOGIN, login timeout) → <c>Online</c> (PING echo, idle
/// watchdog, REG/REMOVE one request at a time) → <c>Closing</c> (graceful).
/// A receive loop is always pending (so ClientWebSocket's pong timeout works) and a send loop writes frames in
/// order. The receive loop decodes every frame; REAL ticks it delivers itself, straight from the socket's thread to
/// the subscribers through each code's <see cref="TickRoute"/> (the route table is a concurrent dictionary the actor
/// writes and the loop reads), and every other frame it hands to the actor by message: no actor hop on the tick
/// path. The loop shares nothing else with the actor but the "a frame arrived" flag of the idle watchdog.
/// Every link failure is thrown: the parent <see cref="BackoffSupervisor"/> restarts a fresh instance after a backoff. The connection holds no desired
/// state: the FeedSupervisor replays it on every <see cref="ConnectionUp"/>.
/// </summary>
public sealed class ConnectionActor : ReceiveActor, IWithTimers
{
    private readonly ActorFeedSettings _settings;
    private readonly ITransportFactory _transports;
    private readonly IActorRef _tokens;
    private readonly IActorRef _feed;
    private readonly KeyValuePair<string, object?> _metricTag;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _linkCts = new();
    private readonly Channel<Outbound> _outbox = Channel.CreateUnbounded<Outbound>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TickRoute> _routes = new(StringComparer.Ordinal);
    private readonly LinkedList<PendingRequest> _queue = new();
    private PendingRequest? _inFlight;
    private IFeedTransport? _transport;
    private string? _token;
    private readonly Inbound _inbound;
    private int _silentChecks;
    private bool _pacing;
    private IActorRef? _closeRequester;

    public ConnectionActor(ActorFeedSettings settings, ITransportFactory transports, IActorRef tokens, IActorRef feed, string metricTag)
    {
        _settings = settings;
        _transports = transports;
        _tokens = tokens;
        _feed = feed;
        _metricTag = new("feed", metricTag);
        _inbound = new Inbound(_routes, _metricTag);
    }

    public static Props Props(ActorFeedSettings settings, ITransportFactory transports, IActorRef tokens, IActorRef feed, string metricTag) =>
        Akka.Actor.Props.Create(() => new ConnectionActor(settings, transports, tokens, feed, metricTag));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Authenticating();

    protected override void PostStop()
    {
        _linkCts.Cancel();
        _outbox.Writer.TryComplete();
        if (_transport is { } t)
        {
            t.Abort();
            _ = t.DisposeAsync().AsTask();
        }
    }

    // ---------------------------------------------------------------- behaviours

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
        _transport = _transports.Create();
        Timers.StartSingleTimer(ConnectTimedOut.Instance, ConnectTimedOut.Instance, _settings.ConnectTimeout);
        _transport.ConnectAsync(_settings.WebSocketUrl, _linkCts.Token)
            .PipeTo(Self, success: () => Opened.Instance, failure: e => new LinkFailed(e));
        Become(() =>
        {
            Receive<Opened>(_ =>
            {
                Timers.Cancel(ConnectTimedOut.Instance);
                StartLoops(_transport);
                LoggingIn();
                Send(KiwoomEncoder.Login(_token!));
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
                switch (f.Frame)
                {
                    case LoginReplyFrame { Success: true }:
                        Timers.Cancel(LoginTimedOut.Instance);
                        Online();
                        break;
                    case LoginReplyFrame { TokenRejected: true } reply:
                        _tokens.Tell(new TokenProtocol.InvalidateToken(_token!));
                        throw Fail(Causes.TokenRejected, FailureKind.Transient, $"LOGIN returned {reply.ReturnCode}: {reply.ReturnMessage}");
                    case LoginReplyFrame reply:
                        throw Fail(Causes.LoginRejected, FailureKind.Transient, $"LOGIN returned {reply.ReturnCode}: {reply.ReturnMessage}");
                    default:
                        OnFrame(f);
                        break;
                }
            });
            Receive<LoginTimedOut>(_ => throw Fail(Causes.LoginTimeout, FailureKind.Transient, $"no LOGIN reply within {_settings.LoginTimeout}"));
            Common();
        });
    }

    private void Online()
    {
        var interval = _settings.IdleTimeout / 2;
        Timers.StartPeriodicTimer(IdleCheck.Instance, IdleCheck.Instance, interval);
        if (_settings.BackoffResetAfter > TimeSpan.Zero)
            Timers.StartSingleTimer(Stable.Instance, Stable.Instance, _settings.BackoffResetAfter);
        else
            Context.Parent.Tell(BackoffReset.Instance);
        _log.Info("Connected to {Url}", _settings.WebSocketUrl);
        _feed.Tell(new ConnectionUp(DateTimeOffset.UtcNow));
        Become(() =>
        {
            Receive<FrameReceived>(OnFrame);
            Receive<IdleCheck>(_ => CheckIdle());
            Receive<Stable>(_ => Context.Parent.Tell(BackoffReset.Instance));
            Receive<RegisterItems>(m =>
            {
                foreach (var (code, route) in m.Routes) _routes[code] = route;
                Enqueue(true, m.Items);
            });
            Receive<UnregisterItems>(m =>
            {
                foreach (var code in m.ForgetCodes) _routes.TryRemove(code, out _);
                Enqueue(false, m.Items);
            });
            Receive<CloseGracefully>(m =>
            {
                _closeRequester = Sender;
                Timers.StartSingleTimer(CloseTimedOut.Instance, CloseTimedOut.Instance, _settings.ShutdownTimeout);
                Enqueue(false, m.Items);
                Closing();
            });
            Requests();
            Common();
        });
    }

    private void Closing()
    {
        Become(() =>
        {
            Receive<FrameReceived>(OnFrame);
            Receive<IdleCheck>(_ => { });
            Receive<RegisterItems>(_ => { });
            Receive<UnregisterItems>(_ => { });
            Receive<CloseDone>(_ => FinishClose());
            Receive<CloseTimedOut>(_ => FinishClose());
            Receive<LinkClosed>(_ => FinishClose());
            Receive<LinkFailed>(_ => FinishClose());
            Requests();
        });
        CloseWhenDrained();
    }

    /// <summary>Handlers every state shares: a broken link is thrown to the supervisor.</summary>
    private void Common()
    {
        Receive<LinkFailed>(m => throw Classify(m.Error));
        Receive<LinkClosed>(m => throw Fail(Causes.ServerClosed, FailureKind.Transient,
            $"close status {(int?)m.Status} {m.Status} '{m.Description}'"));
        Receive<CloseGracefully>(_ =>
        {
            Sender.Tell(Closed.Instance);
            Context.Stop(Self);
        });
    }

    /// <summary>REG / REMOVE replies, request timeouts and pacing (Online and Closing).</summary>
    private void Requests()
    {
        Receive<RequestTimedOut>(_ => throw Fail(Causes.RequestTimeout, FailureKind.Transient,
            $"no reply to {(_inFlight!.Register ? "REG" : "REMOVE")} of {_inFlight.Items.Count} item(s) within {_settings.RequestTimeout}"));
        Receive<PaceElapsed>(_ =>
        {
            _pacing = false;
            Pump();
        });
    }

    // ---------------------------------------------------------------- frames

    /// <summary>Every frame but REAL (the receive loop delivers those itself).</summary>
    private void OnFrame(FrameReceived f)
    {
        var data = f.Data;
        switch (f.Frame)
        {
            case PingFrame:
                Send(data); // echo the same bytes back, JSON or bare text
                break;
            case RegistrationReplyFrame reply:
                OnRegistrationReply(reply);
                break;
            case SystemFrame { IsDuplicateSession: true } sys:
                throw Fail(Causes.DuplicateSession, FailureKind.Permanent, $"SYSTEM {sys.Code}: {sys.Message}");
            case SystemFrame sys:
                _log.Info("Server notice {SystemCode}: {SystemMessage}", sys.Code, sys.Message);
                break;
            case LoginReplyFrame login:
                _log.Warning("Unexpected LOGIN reply while online (return_code {ReturnCode})", login.ReturnCode);
                break;
            case UnknownFrame unknown:
                FeedMetrics.DecodeErrors.Add(1, _metricTag, new("kind", "unknown"));
                _log.Warning("Ignored a frame of unknown trnm {Trnm}", unknown.Trnm);
                break;
            case MalformedFrame bad:
                FeedMetrics.DecodeErrors.Add(1, _metricTag, new("kind", "malformed"));
                _log.Warning("Ignored a malformed frame ({Reason}), {Length} bytes", bad.Reason, data.Length);
                break;
        }
    }

    private void CheckIdle()
    {
        if (Interlocked.Exchange(ref _inbound.FrameSeen, 0) == 1)
        {
            _silentChecks = 0;
            return;
        }
        if (++_silentChecks >= 2)
            throw Fail(Causes.KeepAliveTimeout, FailureKind.Transient, $"no frame received for {_settings.IdleTimeout} (idle watchdog)");
    }

    // ---------------------------------------------------------------- REG / REMOVE

    private void Enqueue(bool register, IReadOnlyList<RegistrationItem> items)
    {
        foreach (var batch in KiwoomEncoder.Batches(items, _settings.MaxItemsPerRequest))
            _queue.AddLast(new PendingRequest(register, batch));
        Pump();
    }

    private void Pump()
    {
        if (_inFlight is not null || _pacing || _queue.First is null) return;
        _inFlight = _queue.First.Value;
        _queue.RemoveFirst();
        // Subscriptions made one at a time queue as one-item requests: send the ones of the same kind and type
        // waiting behind as one batch (up to max-items-per-request). Requests of another type may be passed (their
        // items differ); one of the other kind may not (it could touch the same item). Halves of a rejected batch
        // are never merged back.
        if (!_inFlight.Exact)
        {
            List<RegistrationItem>? merged = null;
            var type = _inFlight.Items[0].Type;
            for (var node = _queue.First; node is not null && !node.Value.Exact && node.Value.Register == _inFlight.Register;)
            {
                var next = node.Next;
                if (node.Value.Items[0].Type == type)
                {
                    if ((merged?.Count ?? _inFlight.Items.Count) + node.Value.Items.Count > _settings.MaxItemsPerRequest) break;
                    merged ??= [.. _inFlight.Items];
                    merged.AddRange(node.Value.Items);
                    _queue.Remove(node);
                }
                node = next;
            }
            if (merged is not null) _inFlight = _inFlight with { Items = merged };
        }
        Send(KiwoomEncoder.Registration(_inFlight.Register, _settings.SubscriptionGroup, _inFlight.Items[0].Type, _inFlight.Items));
        Timers.StartSingleTimer(RequestTimedOut.Instance, RequestTimedOut.Instance, _settings.RequestTimeout);
    }

    private void OnRegistrationReply(RegistrationReplyFrame reply)
    {
        var request = _inFlight;
        if (request is null || reply.Trnm != (request.Register ? "REG" : "REMOVE"))
        {
            _log.Warning("Unexpected {Trnm} reply (return_code {ReturnCode}) with no such request in flight", reply.Trnm, reply.ReturnCode);
            return;
        }
        _inFlight = null;
        Timers.Cancel(RequestTimedOut.Instance);
        if (reply.Success)
        {
            if (request.Register) _feed.Tell(new ItemsConfirmed(request.Items));
        }
        else if (!request.Register)
        {
            _log.Warning("REMOVE of {Count} item(s) rejected: {ReturnCode} {ReturnMessage}", request.Items.Count, reply.ReturnCode, reply.ReturnMessage);
        }
        else if (request.Items.Count > 1)
        {
            // The reply does not say which item was bad: split the batch and try both halves first.
            var half = request.Items.Count / 2;
            _queue.AddFirst(new PendingRequest(true, request.Items.Skip(half).ToList(), Exact: true));
            _queue.AddFirst(new PendingRequest(true, request.Items.Take(half).ToList(), Exact: true));
        }
        else
        {
            var item = request.Items[0];
            var reason = $"server rejected REG of {item}: return_code {reply.ReturnCode} {reply.ReturnMessage}".TrimEnd();
            _log.Warning("Subscription rejected: {Reason}", reason);
            _feed.Tell(new ItemRejected(item, reason));
        }
        if (_settings.ReplayBatchInterval > TimeSpan.Zero && _queue.First is not null)
        {
            _pacing = true;
            Timers.StartSingleTimer(PaceElapsed.Instance, PaceElapsed.Instance, _settings.ReplayBatchInterval);
        }
        Pump();
        if (_closeRequester is not null) CloseWhenDrained();
    }

    private void CloseWhenDrained()
    {
        if (_inFlight is not null || _queue.First is not null) return;
        _outbox.Writer.TryWrite(Outbound.Close);
    }

    private void FinishClose()
    {
        _log.Info("Connection closed gracefully");
        _closeRequester?.Tell(Closed.Instance);
        _closeRequester = null;
        Context.Stop(Self);
    }

    // ---------------------------------------------------------------- socket loops

    private void Send(byte[] frame) => _outbox.Writer.TryWrite(new Outbound(frame));

    private void StartLoops(IFeedTransport transport)
    {
        var self = Self;
        var ct = _linkCts.Token;
        var inbound = _inbound;
        _ = Task.Run(() => ReceiveLoop(transport, inbound, self, ct), CancellationToken.None);
        _ = Task.Run(() => SendLoop(transport, _outbox.Reader, self, ct), CancellationToken.None);
    }

    private static async Task ReceiveLoop(IFeedTransport transport, Inbound inbound, IActorRef self, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var message = await transport.ReceiveAsync(ct).ConfigureAwait(false);
                if (message.IsClose)
                {
                    self.Tell(new LinkClosed(message.CloseStatus!.Value, message.CloseDescription));
                    return;
                }
                var frame = inbound.Decoder.Decode(message.Data, DateTimeOffset.UtcNow);
                Volatile.Write(ref inbound.FrameSeen, 1);
                if (frame is RealFrame real) inbound.Deliver(real);
                else self.Tell(new FrameReceived(frame, message.Data));
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            self.Tell(new LinkFailed(e));
        }
        catch
        {
            // the actor stopped and cancelled the loop
        }
    }

    private static async Task SendLoop(IFeedTransport transport, ChannelReader<Outbound> outbox, IActorRef self, CancellationToken ct)
    {
        try
        {
            await foreach (var item in outbox.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (item.Data is { } data)
                {
                    await transport.SendAsync(data, ct).ConfigureAwait(false);
                }
                else
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    await transport.CloseAsync(WebSocketCloseStatus.NormalClosure, "client shutdown", timeout.Token).ConfigureAwait(false);
                    self.Tell(CloseDone.Instance);
                    return;
                }
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            self.Tell(new LinkFailed(e));
        }
        catch
        {
            // the actor stopped and cancelled the loop
        }
    }

    // ---------------------------------------------------------------- failures

    private FeedFailureException Fail(string cause, FailureKind kind, string detail)
    {
        FeedMetrics.Disconnects.Add(1, _metricTag, new("cause", cause));
        var text = Redact.Scrub(detail, _token, _settings.AppKey, _settings.SecretKey);
        return new FeedFailureException(cause, kind, text);
    }

    private FeedFailureException Classify(Exception error)
    {
        var keepalive = error is OperationCanceledException or TimeoutException
            || error.InnerException is TimeoutException
            || error.Message.Contains("keep-alive", StringComparison.OrdinalIgnoreCase)
            || error.Message.Contains("keepalive", StringComparison.OrdinalIgnoreCase);
        var cause = keepalive ? Causes.KeepAliveTimeout : Causes.ConnectionLost;
        var detail = error.InnerException is { } inner ? $"{error.GetType().Name}: {error.Message} ({inner.Message})" : $"{error.GetType().Name}: {error.Message}";
        return Fail(cause, FailureKind.Transient, detail);
    }

    // ---------------------------------------------------------------- private messages

    /// <param name="Exact">Send exactly these items (a half of a rejected batch): not merged with others.</param>
    private sealed record PendingRequest(bool Register, IReadOnlyList<RegistrationItem> Items, bool Exact = false);
    private sealed record Outbound(byte[]? Data)
    {
        public static readonly Outbound Close = new((byte[]?)null);
    }
    private sealed record FrameReceived(KiwoomFrame Frame, byte[] Data) : IDeadLetterSuppression;

    /// <summary>What the receive loop owns (the decoder) and reads (the routes) to deliver REAL ticks itself.</summary>
    private sealed class Inbound(ConcurrentDictionary<string, TickRoute> routes, KeyValuePair<string, object?> metricTag)
    {
        public readonly KiwoomDecoder Decoder = new();
        /// <summary>1 when a frame arrived since the idle watchdog last looked.</summary>
        public int FrameSeen;

        public void Deliver(RealFrame real)
        {
            FeedMetrics.Ticks.Add(real.Ticks.Count, metricTag);
            var now = Environment.TickCount64;
            foreach (var tick in real.Ticks)
            {
                var key = RealTypes.IsAccountType(tick.Type) ? "" : tick.Code;
                if (routes.TryGetValue(key, out var route)) route.Deliver(tick, now);    // else: not registered (any more), dropped
            }
        }
    }
    private sealed record LinkFailed(Exception Error) : IDeadLetterSuppression;
    private sealed record LinkClosed(WebSocketCloseStatus Status, string? Description) : IDeadLetterSuppression;
    private sealed class Opened : IDeadLetterSuppression { public static readonly Opened Instance = new(); }
    private sealed class CloseDone : IDeadLetterSuppression { public static readonly CloseDone Instance = new(); }
    private sealed class AskToken : IDeadLetterSuppression { public static readonly AskToken Instance = new(); }
    private sealed class ConnectTimedOut : IDeadLetterSuppression { public static readonly ConnectTimedOut Instance = new(); }
    private sealed class LoginTimedOut : IDeadLetterSuppression { public static readonly LoginTimedOut Instance = new(); }
    private sealed class IdleCheck : IDeadLetterSuppression { public static readonly IdleCheck Instance = new(); }
    private sealed class Stable : IDeadLetterSuppression { public static readonly Stable Instance = new(); }
    private sealed class RequestTimedOut : IDeadLetterSuppression { public static readonly RequestTimedOut Instance = new(); }
    private sealed class PaceElapsed : IDeadLetterSuppression { public static readonly PaceElapsed Instance = new(); }
    private sealed class CloseTimedOut : IDeadLetterSuppression { public static readonly CloseTimedOut Instance = new(); }
}
