using Akka.Actor;
using Akka.Event;
using ActorFeed.Diagnostics;
using ActorFeed.Kiwoom;
using ActorFeed.Settings;
using ActorFeed.Supervision;
using ActorFeed.Token;
using static ActorFeed.Connection.ConnectionProtocol;
using static ActorFeed.Supervision.FeedFailureException;

namespace ActorFeed.Connection;

/// <summary>Frames, registrations and failures of the <see cref="ConnectionActor"/> state machine.</summary>
internal sealed partial class ConnectionActor
{
    // ---------------------------------------------------------------- frames

    /// <summary>
    /// Every frame but REAL (the receive loop delivers those itself). What a server may repeat without end (notices,
    /// unknown and malformed frames, stray LOGIN replies) is logged through a <see cref="LogThrottle"/> per kind: the
    /// first at once, then one summary per <see cref="LogInterval"/>, with the server's text clipped; the metric still
    /// counts every frame, after the log call (a spec that sees the count sees the log's timer started).
    /// </summary>
    private void OnFrame(FrameReceived f)
    {
        switch (f.Frame)
        {
            case PingFrame:
                _socket.Send(f.Data); // echo the same bytes back, JSON or bare text
                break;
            case RegistrationReplyFrame reply:
                OnRegistrationReply(reply);
                break;
            case ConditionListFrame or ConditionSearchFrame or ConditionClearFrame:
                OnConditionReply(f.Frame);
                break;
            case SystemFrame { IsDuplicateSession: true } sys:
                throw Fail(Causes.DuplicateSession, FailureKind.Permanent, $"SYSTEM {sys.Code}: {sys.Message}");
            case SystemFrame sys:
                var (code, message) = (LogThrottle.Clip(sys.Code), LogThrottle.Clip(sys.Message));
                if (Throttled(_notices, $"{code}: {message}")) _log.Info("Server notice {SystemCode}: {SystemMessage}", code, message);
                break;
            case LoginReplyFrame login:
                if (Throttled(_strayLogins, $"return_code {login.ReturnCode}")) _log.Warning("Unexpected LOGIN reply while online (return_code {ReturnCode})", login.ReturnCode);
                break;
            case UnknownFrame unknown:
                var trnm = LogThrottle.Clip(unknown.Trnm);
                if (Throttled(_unknownFrames, trnm)) _log.Warning("Ignored a frame of unknown trnm {Trnm}", trnm);
                FeedMetrics.DecodeErrors.Add(1, _metricTag, new("kind", "unknown"));
                break;
            case MalformedFrame bad:
                var reason = LogThrottle.Clip(bad.Reason, MaxReason);
                if (Throttled(_malformedFrames, $"{reason}, {f.Data.Length} bytes")) _log.Warning("Ignored a malformed frame ({Reason}), {Length} bytes", reason, f.Data.Length);
                FeedMetrics.DecodeErrors.Add(1, _metricTag, new("kind", "malformed"));
                break;
        }
    }

    // ---------------------------------------------------------------- throttled logs

    /// <summary>At most one line per kind per this interval, after the first (see <see cref="LogThrottle"/>).</summary>
    internal static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    private const int MaxReason = 160;   // the decoder's reason (ours; JSON errors name a position) gets a little more room than the server's text

    private readonly ThrottledLog _malformedFrames = new(LogLevel.WarningLevel, "Ignored {Count} more malformed frame(s) in the last {Seconds}s (last: {Last})");
    private readonly ThrottledLog _unknownFrames = new(LogLevel.WarningLevel, "Ignored {Count} more frame(s) of unknown trnm in the last {Seconds}s (last: {Last})");
    private readonly ThrottledLog _notices = new(LogLevel.InfoLevel, "{Count} more server notice(s) in the last {Seconds}s (last: {Last})");
    private readonly ThrottledLog _strayLogins = new(LogLevel.WarningLevel, "{Count} more unexpected LOGIN reply(ies) in the last {Seconds}s (last: {Last})");

    /// <summary>One kind of log line: its throttle, and the level and template of its summary.</summary>
    private sealed class ThrottledLog(LogLevel level, string summary)
    {
        public LogThrottle Throttle { get; } = new(LogInterval);
        public LogLevel Level { get; } = level;
        public string Summary { get; } = summary;
    }

    /// <summary>The throttle's flush timer fired.</summary>
    private sealed record FlushLog(ThrottledLog Log) : IDeadLetterSuppression;

    /// <summary>True when the caller logs this occurrence now; else it is counted, and the summary's timer runs.</summary>
    private bool Throttled(ThrottledLog log, string detail)
    {
        var now = Context.System.Scheduler.Now;
        Flush(log, now);
        if (log.Throttle.Hit(now, detail)) return true;
        if (!Timers.IsTimerActive(log) && log.Throttle.DueAt is { } due)
            Timers.StartSingleTimer(log, new FlushLog(log), due > now ? due - now : TimeSpan.Zero);
        return false;
    }

    private void Flush(ThrottledLog log, DateTimeOffset now)
    {
        if (!log.Throttle.TryFlush(now, out var count, out var last, out var span)) return;
        var seconds = Math.Round(span.TotalSeconds);
        if (log.Level == LogLevel.InfoLevel) _log.Info(log.Summary, count, seconds, last);
        else _log.Warning(log.Summary, count, seconds, last);
    }

    private void CheckIdle()
    {
        _silentChecks = _socket.TakeFrameSeen() ? 0 : _silentChecks + 1;
        _log.Debug("Idle check: {SilentChecks} silent check(s) in a row", _silentChecks);
        if (_silentChecks >= 2)
            throw Fail(Causes.KeepAliveTimeout, FailureKind.Transient, $"no frame received for {_settings.IdleTimeout} (idle watchdog)");
    }

    // ---------------------------------------------------------------- data watchdog

    /// <summary>The data watchdog checks this many times per data-timeout.</summary>
    internal const int DataChecksPerTimeout = 4;

    /// <summary>
    /// Liveness of the data, not of the socket: every <c>data-timeout / 4</c>, while data is expected (at least one item
    /// confirmed on this connection and the market calendar expects data for at least one confirmed code), four checks
    /// in a row without a REAL frame of market data (PINGs, replies, SYSTEM, and REALs of only condition changes or
    /// events never count: <see cref="RealTypes.IsMarketData"/>) mean the data stopped. Step 1: the confirmed
    /// items are REGistered again on this connection (refresh "1": a server that still has them keeps them), with a
    /// supervision line, a <see cref="SupervisionDecision"/> of attempt 0 and no delay on the EventStream, and
    /// <c>actorfeed.data.timeouts</c> (step reregister). Step 2: still no REAL for another data-timeout: the link fails
    /// with cause "no data" and is restarted and replayed like any failed link. Any REAL resets both steps; so does a
    /// check that expects no data (the market is closed, or nothing is confirmed): silence is normal then.
    /// </summary>
    private void CheckData()
    {
        var real = _socket.TakeRealSeen();
        _realOnThisLink |= real;
        if (real || !ExpectsData())
        {
            if (real && _reregistered) _log.Info("Data flows again after registering again");
            _dataSilentChecks = 0;
            _reregistered = false;
            return;
        }
        if (++_dataSilentChecks < DataChecksPerTimeout) return;
        _dataSilentChecks = 0;
        if (_reregistered)
        {
            FeedMetrics.DataTimeouts.Add(1, _metricTag, new("step", "restart"));
            throw Fail(Causes.NoData, FailureKind.Transient,
                $"no REAL frame for {_settings.DataTimeout} after registering {_confirmedItems.Count} item(s) again (data watchdog)");
        }
        _reregistered = true;
        var items = _confirmedItems.ToList();
        var detail = $"no REAL frame for {_settings.DataTimeout} while data was expected; REG of {items.Count} confirmed item(s) again";
        _log.Warning("Supervision: {Component} data stopped ({Cause}); registering again. {Detail}", FeedComponent.Connection.Name(), Causes.NoData, detail);
        FeedMetrics.DataTimeouts.Add(1, _metricTag, new("step", "reregister"));
        Context.System.EventStream.Publish(new SupervisionDecision(FeedComponent.Connection, Causes.NoData, FailureKind.Transient, 0,
            TimeSpan.Zero, Context.System.Scheduler.Now, detail));
        // the gap markers before the REG goes out, on this thread: the first tick after it must find them
        foreach (var code in items.Select(i => RealTypes.IsAccountType(i.Type) ? "" : i.Code).Distinct())
            if (_socket.Routes.TryGetValue(code, out var route)) route.Interrupt(Causes.NoData);
        Enqueue(RegistrationKind.Register, items);
    }

    /// <summary>
    /// True when silence means the data stopped: a REAL already came on this connection (so a holiday, a late opening
    /// or a set of quiet codes the calendar does not know about costs at most one re-registration and one restart, not a
    /// loop), and the calendar (narrowed by 0s session pushes: <see cref="MarketSignals"/>) expects data now for a confirmed item of a type that flows continuously while its market
    /// is open (not the per-account types 00 / 04 nor the event types 0s session changes / 1h VI, which are silent
    /// for hours when nothing happens).
    /// </summary>
    private bool ExpectsData()
    {
        if (!_realOnThisLink || _confirmedItems.Count == 0) return false;
        var now = _time.GetUtcNow();
        foreach (var item in _confirmedItems)
            if (RealTypes.IsMarketData(item.Type) && _market.ExpectsData(now, item.Code)) return true;
        return false;
    }

    // ---------------------------------------------------------------- REG / REMOVE

    private void Enqueue(RegistrationKind kind, IReadOnlyList<RegistrationItem> items)
    {
        _registrations.Enqueue(kind, items);
        SendNextRequest();
    }

    /// <summary>
    /// Sends the next request unless a pause runs (replay-batch-interval or a rate-limit pause) or the last send was
    /// less than <c>1 / max-requests-per-second</c> ago.
    /// </summary>
    private void SendNextRequest()
    {
        var closing = _closeRequester is not null;                 // closing: the REMOVEs go out unpaced
        if ((!closing && (_pacing || _spacing)) || _registrations.Next() is not { } request) return;
        // timers before the frame can be seen
        Timers.StartSingleTimer(RequestTimedOut.Instance, RequestTimedOut.Instance, _settings.RequestTimeout);
        if (!closing && _settings.MaxRequestsPerSecond > 0)
        {
            _spacing = true;
            Timers.StartSingleTimer(SpacingElapsed.Instance, SpacingElapsed.Instance, TimeSpan.FromSeconds(1.0 / _settings.MaxRequestsPerSecond));
        }
        _socket.Send(KiwoomEncoder.Registration(request.Kind, _settings.SubscriptionGroup, request.Items[0].Type, request.Items));
    }

    private void OnRegistrationReply(RegistrationReplyFrame reply)
    {
        var outcome = _registrations.Complete(reply);
        if (outcome is RegistrationOutcome.Unexpected)
        {
            _log.Warning("Unexpected {Trnm} reply (return_code {ReturnCode}) with no such request in flight", reply.Kind.Trnm(), reply.ReturnCode);
            return;
        }
        Timers.Cancel(RequestTimedOut.Instance);
        switch (outcome)
        {
            // errors that say nothing about the items: the restart logs in again and replays them
            case RegistrationOutcome.TokenRejected or RegistrationOutcome.LinkFailure when _closeRequester is not null:
                _log.Warning("{Trnm} reply {Error} while closing; closing now", reply.Kind.Trnm(), reply.Error);
                FinishClose();
                return;
            case RegistrationOutcome.TokenRejected t:
                _tokens.Tell(new TokenProtocol.InvalidateToken(_token!));
                throw Fail(Causes.TokenRejected, FailureKind.Transient, $"{t.Request} returned {t.Error}");
            case RegistrationOutcome.LinkFailure f:
                throw Fail(Causes.RequestFailed, FailureKind.Transient, $"{f.Request} returned {f.Error}");
        }
        // timers first: whoever hears of the outcome may already count on the pause being under way
        if (outcome is RegistrationOutcome.RateLimited limited)
        {
            _rateLimitsInARow++;
            var pause = _rateLimitBackoff.DelayFor(_rateLimitsInARow, FailureKind.Transient, 0);
            _pacing = true;
            Timers.StartSingleTimer(PaceElapsed.Instance, PaceElapsed.Instance, pause);
            FeedMetrics.RateLimited.Add(1, _metricTag, new("trnm", limited.Request.Kind.Trnm()));
            _log.Warning("{Request} rate limited by the server ({Error}); sending it again in {Pause} (rate limit {Count} in a row)",
                limited.Request, limited.Error, pause, _rateLimitsInARow);
        }
        else
        {
            _rateLimitsInARow = 0;
            if (_settings.ReplayBatchInterval > TimeSpan.Zero && _registrations.HasWaiting)
            {
                _pacing = true;
                Timers.StartSingleTimer(PaceElapsed.Instance, PaceElapsed.Instance, _settings.ReplayBatchInterval);
            }
        }
        switch (outcome)
        {
            case RegistrationOutcome.Accepted { Request.Kind: RegistrationKind.Register } accepted:
                _confirmedItems.UnionWith(accepted.Request.Items);
                _feed.Tell(new ItemsConfirmed(accepted.Request.Items));
                break;
            case RegistrationOutcome.Accepted removed:
                _confirmedItems.ExceptWith(removed.Request.Items);   // a REG accepted after the REMOVE was queued put them back
                break;
            case RegistrationOutcome.RemoveRejected rejected:
                _confirmedItems.ExceptWith(rejected.Request.Items);
                _log.Warning("REMOVE of {Count} item(s) rejected: {Error}", rejected.Request.Items.Count, rejected.Error);
                break;
            case RegistrationOutcome.ItemRejected rejected:
                var reason = $"server rejected REG of {rejected.Item}: {rejected.Error}".TrimEnd();
                _log.Warning("Subscription rejected: {Reason}", reason);
                _feed.Tell(new ItemRejected(rejected.Item, reason));
                break;
        }
        SendNextRequest();
        if (_closeRequester is not null) CloseWhenDrained();
    }

    // ---------------------------------------------------------------- condition search

    /// <summary>Condition requests from the conditions actor, their timeout (the request is dropped and the conditions
    /// actor told: never a link failure) and rate-limit pause, and the type 02 changes from the receive loop (Online).</summary>
    private void Conditions()
    {
        Receive<ConditionCommand>(m =>
        {
            _conditions = Sender;
            _conditionRequests.Enqueue(m.Request);
            SendNextCondition();
        });
        // A condition request the server does not answer says nothing about the link (ticks may flow fine): it is
        // dropped, the conditions actor decides whether to ask again (after a backoff), and the next request goes out.
        Receive<ConditionTimedOut>(_ =>
        {
            if (_conditionRequests.Abandon() is { } request)
            {
                _log.Warning("No reply to {Request} within {Timeout}: dropped, the link lives on", request, _settings.RequestTimeout);
                _conditions?.Tell(new ConditionOutcome.TimedOut(request));
            }
            SendNextCondition();
        });
        Receive<ConditionPauseElapsed>(_ =>
        {
            _conditionPause = false;
            SendNextCondition();
        });
        Receive<ConditionHoldElapsed>(_ => SendNextCondition());   // a dropped request's late-reply window ended
        Receive<ConditionPushed>(m =>
        {
            if (ConditionCodes.ChangeOf(m.Tick) is { } change) _conditions?.Tell(change);
            else if (Throttled(_malformedFrames, "condition change (REAL 02) without seq, code or I / D"))
                _log.Warning("Ignored a condition change (REAL 02) without seq (841), code (9001) or direction (843 I / D)");
        });
    }

    /// <summary>Sends the next condition request unless a rate-limit pause runs; one held while a dropped request of the
    /// same trnm and seq may still be answered late waits for the end of that window (a timer), or for the late reply.
    /// The conditions actor hears that it went out (<see cref="ConditionOutcome.Sent"/>) before any push that follows it.</summary>
    private void SendNextCondition()
    {
        if (_conditionPause) return;
        if (_conditionRequests.Next() is not { } frame)
        {
            if (_conditionRequests.HeldUntil is { } until && !Timers.IsTimerActive(ConditionHoldElapsed.Instance))
            {
                var wait = Max(TimeSpan.Zero, until - Context.System.Scheduler.Now);
                Timers.StartSingleTimer(ConditionHoldElapsed.Instance, ConditionHoldElapsed.Instance, wait);   // before the line: whoever sees it may count on the timer
                _log.Info("{Request} held for at most {Wait}: a request of the same seq dropped without reply may still be answered, and its late reply must not be taken for this one",
                    _conditionRequests.FirstWaiting, wait);
            }
            return;

        }
        Timers.StartSingleTimer(ConditionTimedOut.Instance, ConditionTimedOut.Instance, _settings.RequestTimeout);   // before the frame can be answered
        _socket.Send(frame);
        _conditions?.Tell(new ConditionOutcome.Sent(_conditionRequests.InFlight!));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// A CNSRLST / CNSRREQ / CNSRCLR reply: outcomes go to the conditions actor; a page of a one-shot search asks the next
    /// one; a rate limit pauses (backoff.min doubling) and sends the same request again; a token error invalidates the
    /// token and fails the link, like a credentials / mode / device error does (the restart replays the conditions).
    /// </summary>
    private void OnConditionReply(KiwoomFrame reply)
    {
        var outcome = _conditionRequests.Complete(reply);
        if (outcome is ConditionOutcome.Unexpected)
        {
            if (Throttled(_strayConditionReplies, reply.GetType().Name)) _log.Warning("Unexpected condition reply {Reply} with no such request in flight", reply.GetType().Name);
            return;
        }
        if (outcome is ConditionOutcome.LateReply late)
        {
            _log.Warning("Discarded the late reply to {Request}{Page}, dropped without reply earlier: it answers no other request",
                late.Request, late.NextKey is { } key ? $" (page next_key {key})" : "");
            Timers.Cancel(ConditionHoldElapsed.Instance);
            SendNextCondition();                                   // a request held for it may go now (or waits for another)

            return;
        }
        Timers.Cancel(ConditionTimedOut.Instance);
        switch (outcome)
        {
            case ConditionOutcome.TokenRejected t:
                _tokens.Tell(new TokenProtocol.InvalidateToken(_token!));
                throw Fail(Causes.TokenRejected, FailureKind.Transient, $"{t.Request} returned {t.Error}");
            case ConditionOutcome.LinkFailure l:
                throw Fail(Causes.RequestFailed, FailureKind.Transient, $"{l.Request} returned {l.Error}");
            case ConditionOutcome.RateLimited limited:
                var pause = _rateLimitBackoff.DelayFor(++_conditionRateLimits, FailureKind.Transient, 0);
                _conditionPause = true;
                Timers.StartSingleTimer(ConditionPauseElapsed.Instance, ConditionPauseElapsed.Instance, pause);
                FeedMetrics.RateLimited.Add(1, _metricTag, new("trnm", limited.Request is ConditionRequest.List ? "CNSRLST" : limited.Request is ConditionRequest.Clear ? "CNSRCLR" : "CNSRREQ"));
                _log.Warning("{Request} rate limited by the server ({Error}); sending it again in {Pause}", limited.Request, limited.Error, pause);
                return;
            case ConditionOutcome.Paging:
                break;
            case ConditionOutcome.Refused refused:
                _conditionRateLimits = 0;
                _log.Warning("{Request} refused: {Error}", refused.Request, refused.Error);
                _conditions?.Tell(outcome);
                break;
            default:
                _conditionRateLimits = 0;
                _conditions?.Tell(outcome);
                break;
        }
        SendNextCondition();
    }

    private readonly ThrottledLog _strayConditionReplies = new(LogLevel.WarningLevel, "{Count} more unexpected condition reply(ies) in the last {Seconds}s (last: {Last})");

    private void CloseWhenDrained()
    {
        if (_registrations.IsDrained) _socket.Close();
    }

    private void FinishClose()
    {
        _log.Info("Connection closed gracefully");
        _closeRequester?.Tell(Closed.Instance);
        _closeRequester = null;
        Context.Stop(Self);
    }

    // ---------------------------------------------------------------- failures

    /// <summary>
    /// A refused LOGIN, classified by its fine code (either envelope). Refused for the token (8003, 8005, ...), the mode
    /// (8031) or the device (8103): the token is invalidated (the token actor issues a new one) and LOGIN retried once;
    /// refused again before any LOGIN succeeded: permanent (a token refused is invalidated again, so the try after the
    /// long backoff uses a new one). Other credentials / mode / device codes: permanent at once. A rate limit, or
    /// anything else: transient, with the same token.
    /// </summary>
    private FeedFailureException LoginFailed(LoginReplyFrame reply)
    {
        var error = reply.Error!;
        var detail = $"LOGIN returned {error}";
        var tokenRefused = error.Class == KiwoomErrorClass.Token;
        if (tokenRefused || error.RetryLoginOnceWithNewToken)
        {
            var retry = _loginRetry.TryUseRetry();
            if (retry || tokenRefused) _tokens.Tell(new TokenProtocol.InvalidateToken(_token!));
            return retry
                ? Fail(tokenRefused ? Causes.TokenRejected : Causes.LoginRejected, FailureKind.Transient, $"{detail}; logging in once more with a new token")
                : Fail(tokenRefused ? Causes.TokenRefused : Causes.BadCredentials, FailureKind.Permanent, $"{detail}, again after a new token was issued");
        }
        if (error.IsPermanent) return Fail(Causes.BadCredentials, FailureKind.Permanent, detail);
        if (error.Class == KiwoomErrorClass.RateLimit) return Fail(Causes.RateLimited, FailureKind.Transient, detail);
        return Fail(Causes.LoginRejected, FailureKind.Transient, detail);
    }

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
}
