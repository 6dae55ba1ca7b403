using Akka.Actor;
using Akka.Event;
using ActorFeed.Settings;

namespace ActorFeed.Supervision;

/// <summary>
/// Restarts one child after a failure with backoff, like Akka's BackoffSupervisor in OnFailure mode with a manual
/// reset, plus what ActorFeed needs on top: the delay depends on the failure class (transient: exponential;
/// permanent: long fixed delay), each decision writes one structured log line and a <see cref="SupervisionDecision"/>
/// to the parent and the EventStream, and messages that arrive while the child is down are either dropped
/// (the connection: its desired state is replayed on reconnect) or buffered (the token: askers wait for it).
/// The child sends <see cref="BackoffReset"/> to its parent once it is healthy; a child that stops by itself
/// stops this supervisor too. After <see cref="StopRestarting"/> (the feed is shutting down) no restart happens any
/// more: a pending one is cancelled, and the next time the child is gone, for whatever reason, this supervisor stops.
/// </summary>
internal sealed class RestartSupervisor : UntypedActor, IWithTimers
{
    private readonly FeedComponent _component;
    private readonly string _name;
    private readonly Props _childProps;
    private readonly BackoffPolicy _policy;
    private readonly bool _bufferWhileDown;
    private readonly string[] _secrets;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<(object Message, IActorRef Sender)> _buffer = [];
    private IActorRef? _child;
    private Exception? _failure;
    private int _attempt;
    private bool _stopping;
    private const int MaxBuffered = 10_000;

    public RestartSupervisor(FeedComponent component, Props childProps, BackoffPolicy policy, bool bufferWhileDown, string[] secrets)
    {
        _component = component;
        _name = component.Name();
        _childProps = childProps;
        _policy = policy;
        _bufferWhileDown = bufferWhileDown;
        _secrets = secrets;
    }

    /// <summary>The child is created as <c>{component name}</c> ("token", "connection") under this supervisor.</summary>
    public static Props Props(FeedComponent component, Props childProps, BackoffPolicy policy, bool bufferWhileDown, params string[] secrets) =>
        Akka.Actor.Props.Create(() => new RestartSupervisor(component, childProps, policy, bufferWhileDown, secrets));

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Failures stop the child; the restart is ours to schedule. The decider runs on this actor's thread.</summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(-1, -1, ex => { _failure = ex; return Directive.Stop; }, loggingEnabled: false);

    protected override void PreStart() => StartChild();

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Terminated t when t.ActorRef.Equals(_child):
                _child = null;
                if (_stopping)
                {
                    if (_failure is { } last)
                        _log.Info("Supervision: {Component} failed while stopping ({Cause}); not restarted", _name,
                            last is FeedFailureException f ? f.Cause : last.GetType().Name);
                    _failure = null;
                    Context.Stop(Self);
                }
                else if (_failure is { } failure)
                {
                    _failure = null;
                    ScheduleRestart(failure);
                }
                else
                {
                    Context.Stop(Self);
                }
                break;
            case RestartChild:
                if (!_stopping) StartChild();
                break;
            case StopRestarting:
                _stopping = true;
                Timers.Cancel(RestartChild.Instance);
                _buffer.Clear();
                if (_child is null) Context.Stop(Self);
                break;
            case BackoffReset:
                if (Sender.Equals(_child) && _attempt > 0)
                {
                    _log.Info("Supervision: {Component} healthy again after {Attempt} restart(s); backoff reset", _name, _attempt);
                    _attempt = 0;
                }
                break;
            case Terminated:
                break;
            default:
                if (_child is not null) _child.Forward(message);
                else if (_bufferWhileDown && _buffer.Count < MaxBuffered) _buffer.Add((message, Sender));
                else _log.Debug("{Component} is down; dropped {MessageType}", _name, message.GetType().Name);
                break;
        }
    }

    private void StartChild()
    {
        if (_child is not null) return;
        _child = Context.Watch(Context.ActorOf(_childProps, _name));
        foreach (var (m, s) in _buffer) _child.Tell(m, s);
        _buffer.Clear();
    }

    private void ScheduleRestart(Exception failure)
    {
        var (cause, kind) = failure is FeedFailureException f ? (f.Cause, f.Kind) : (failure.GetType().Name, FailureKind.Transient);
        var detail = Redact.Scrub(failure.Message, _secrets);
        _attempt++;
        var delay = _policy.DelayFor(_attempt, kind, Random.Shared.NextDouble());
        var decision = new SupervisionDecision(_component, cause, kind, _attempt, delay, Context.System.Scheduler.Now + delay, detail);
        const string template = "Supervision: {Component} failed ({Cause}); restart attempt {Attempt} in {Delay}. {Detail}";
        if (kind == FailureKind.Permanent)
            _log.Error(template, _name, cause, _attempt, delay, detail);
        else
            _log.Warning(template, _name, cause, _attempt, delay, detail);
        Timers.StartSingleTimer(RestartChild.Instance, RestartChild.Instance, delay);
        // published before the parent hears of it: the parent's status change must not overtake the decision
        Context.System.EventStream.Publish(decision);
        Context.Parent.Tell(decision);
    }

    private sealed class RestartChild : INoSerializationVerificationNeeded, IDeadLetterSuppression
    {
        public static readonly RestartChild Instance = new();
    }
}

/// <summary>To a <see cref="RestartSupervisor"/>: the feed is stopping; never restart the child again (a pending restart is
/// cancelled; once the child is gone the supervisor stops).</summary>
internal sealed class StopRestarting
{
    public static readonly StopRestarting Instance = new();
    private StopRestarting() { }
}

/// <summary>Sent by a supervised child to its <see cref="RestartSupervisor"/> once it has been healthy long enough.</summary>
internal sealed class BackoffReset : IDeadLetterSuppression
{
    public static readonly BackoffReset Instance = new();
    private BackoffReset() { }
}
