using System.Text.Json;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using ActorFeed.Messages;
using ActorFeed.Supervision;

namespace ActorFeed.Hosting.Dashboard;

/// <summary>One server-sent event, serialized once for every listener.</summary>
internal sealed record DashboardEvent(string Name, string Json);

/// <summary>
/// What the dashboard shows, kept server-side with bounded memory: the last <see cref="TimelineSize"/> supervision
/// decisions, the last <see cref="RecoveriesKept"/> recoveries, and per pair its last <see cref="RateSamples"/> rates.
/// <para>
/// Live data: while at least one page listens (<see cref="Listen"/>), it asks the feed for its status and a reading of
/// every pair (<see cref="GetSubscriptionStats"/>) and the condition searches it follows (<see cref="GetConditionStatus"/>,
/// at most <see cref="MembersShown"/> member codes each) about once a second and sends one <c>snapshot</c> event to every
/// listener: never one event per tick, whatever the tick rate. State changes (<see cref="FeedStatusChanged"/>) and
/// supervision decisions (<see cref="SupervisionDecision"/>), heard on the EventStream, go out at once as <c>state</c>
/// and <c>decision</c> events; both are rare (a backoff lies between two restarts). Nobody listening: no sampling.
/// </para>
/// <para>
/// Read-only: it sends the feed nothing but questions. Every text that may carry a failure's message (causes, details)
/// has the app key and secret key scrubbed once more, on top of the feed's own redaction.
/// </para>
/// </summary>
internal sealed class DashboardCollector : ReceiveActor, IWithTimers
{
    public const int TimelineSize = 100;
    public const int RecoveriesKept = 20;
    public const int RateSamples = 60;
    public const int MembersShown = 20;
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IActorRef _feed;
    private readonly string?[] _secrets;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LinkedList<DashboardDecision> _timeline = new();          // newest first, at most TimelineSize
    private readonly LinkedList<DashboardRecovery> _recoveries = new();       // newest first, at most RecoveriesKept
    private readonly Dictionary<(string Code, string Type), PairHistory> _pairs = [];
    private readonly HashSet<ChannelWriter<DashboardEvent>> _listeners = [];
    private long _restarts;
    private long _recoveryCount;
    private DateTimeOffset? _downAt;
    private string? _downCause;
    private int _downAttempts;
    private bool _everConnected;
    private bool _sampling;

    public ITimerScheduler Timers { get; set; } = null!;

    public DashboardCollector(IActorRef feed, string?[] secrets, TimeProvider time)
    {
        _feed = feed;
        _secrets = secrets;
        _time = time;
        Receive<FeedStatusChanged>(c => OnState(c.Status));
        Receive<SupervisionDecision>(OnDecision);
        Receive<Listen>(OnListen);
        Receive<Unlisten>(m => OnUnlisten(m.Writer));
        Receive<Sample>(_ => OnSample());
        Receive<GetSnapshot>(_ => Read(Sender, null));
        Receive<Reading>(OnReading);
        Receive<ReadingFailed>(OnReadingFailed);
    }

    public static Props Props(IActorRef feed, string?[] secrets, TimeProvider? time = null) =>
        Akka.Actor.Props.Create(() => new DashboardCollector(feed, secrets, time ?? TimeProvider.System));

    /// <summary>A page's event stream: it gets a snapshot at once, then the live events, until <see cref="Unlisten"/>.</summary>
    public sealed record Listen(ChannelWriter<DashboardEvent> Writer);

    /// <summary>The page left.</summary>
    public sealed record Unlisten(ChannelWriter<DashboardEvent> Writer);

    /// <summary>Answered with a fresh <see cref="DashboardSnapshot"/> (or a <see cref="Status.Failure"/> when the feed does not answer).</summary>
    public sealed class GetSnapshot
    {
        public static readonly GetSnapshot Instance = new();
    }

    private sealed class Sample : INotInfluenceReceiveTimeout, IDeadLetterSuppression
    {
        public static readonly Sample Instance = new();
    }

    private sealed record Reading(SubscriptionStats Stats, ConditionStatus Conditions, IActorRef? ReplyTo, ChannelWriter<DashboardEvent>? Only);

    private sealed record ReadingFailed(Exception Error, IActorRef? ReplyTo);

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(FeedStatusChanged));
        Context.System.EventStream.Subscribe(Self, typeof(SupervisionDecision));
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        foreach (var listener in _listeners) listener.TryComplete();
        _listeners.Clear();
    }

    // ---------------------------------------------------------------- events, at once

    private void OnState(FeedStatus s)
    {
        var now = _time.GetUtcNow();
        if (s.State == FeedState.Connected)
        {
            var up = s.ConnectedSince ?? now;
            if (_everConnected && _downAt is { } down)
            {
                Remember(_recoveries, new DashboardRecovery(down, up, Math.Max(0, (up - down).TotalSeconds), Scrub(_downCause), _downAttempts), RecoveriesKept);
                _recoveryCount++;
            }
            _everConnected = true;
            _downAt = null;
            _downCause = null;
            _downAttempts = 0;
        }
        else if (s.State is FeedState.Reconnecting or FeedState.Failed or FeedState.Connecting or FeedState.Authenticating && _everConnected)
        {
            _downAt ??= s.DownSince ?? now;
            _downCause ??= s.Cause;
            _downAttempts = Math.Max(_downAttempts, s.Attempt);
        }
        Broadcast(new DashboardEvent("state", JsonSerializer.Serialize(StateOf(s), Json)));
    }

    private void OnDecision(SupervisionDecision d)
    {
        if (d.Attempt > 0) _restarts++;
        var decision = new DashboardDecision(d.RestartAt - d.Delay, d.Component.ToString(), Scrub(d.Cause)!, d.Kind.ToString(), d.Attempt,
            d.Delay.TotalSeconds, d.RestartAt, Scrub(d.Detail)!);
        Remember(_timeline, decision, TimelineSize);
        Broadcast(new DashboardEvent("decision", JsonSerializer.Serialize(decision, Json)));
    }

    // ---------------------------------------------------------------- listeners and the 1 Hz sample

    private void OnListen(Listen m)
    {
        _listeners.Add(m.Writer);
        if (!Timers.IsTimerActive("sample")) Timers.StartPeriodicTimer("sample", Sample.Instance, SampleInterval);
        Read(null, m.Writer);
    }

    private void OnUnlisten(ChannelWriter<DashboardEvent> writer)
    {
        _listeners.Remove(writer);
        writer.TryComplete();
        if (_listeners.Count == 0) Timers.Cancel("sample");
    }

    private void OnSample()
    {
        if (_sampling || _listeners.Count == 0) return;        // the last reading is still on its way: skip, never queue
        _sampling = true;
        Read(null, null);
    }

    /// <summary>Asks the feed both questions at once; the answers come back together as <see cref="Reading"/>.</summary>
    private void Read(IActorRef? replyTo, ChannelWriter<DashboardEvent>? only)
    {
        var stats = _feed.Ask<SubscriptionStats>(GetSubscriptionStats.Instance, AskTimeout);
        var conditions = _feed.Ask<ConditionStatus>(new GetConditionStatus(MembersShown), AskTimeout);
        Task.WhenAll(stats, conditions).PipeTo(Self,
            success: () => new Reading(stats.Result, conditions.Result, replyTo, only),
            failure: e => new ReadingFailed(e, replyTo));
    }

    private void OnReading(Reading r)
    {
        var snapshot = Build(r.Stats, r.Conditions, learn: r.ReplyTo is null);
        if (r.ReplyTo is { } replyTo) replyTo.Tell(snapshot);
        var evt = new DashboardEvent("snapshot", JsonSerializer.Serialize(snapshot, Json));
        if (r.Only is { } only)
        {
            if (_listeners.Contains(only)) only.TryWrite(evt);
        }
        else if (r.ReplyTo is null)
        {
            _sampling = false;
            Broadcast(evt);
        }
    }

    private void OnReadingFailed(ReadingFailed f)
    {
        if (f.ReplyTo is null) _sampling = false;
        _log.Debug("Dashboard: the feed did not answer ({Error})", f.Error.GetBaseException().Message);
        f.ReplyTo?.Tell(new Status.Failure(f.Error.GetBaseException()));
    }

    private void Broadcast(DashboardEvent evt)
    {
        foreach (var listener in _listeners) listener.TryWrite(evt);   // bounded, drops the oldest for a slow page
    }

    // ---------------------------------------------------------------- the snapshot

    /// <summary>Builds the page's model; <paramref name="learn"/>: a sample of the timer (or a listener's first one),
    /// whose tick counts feed the rates. A <c>/status</c> request reads the rates without moving them.</summary>
    private DashboardSnapshot Build(SubscriptionStats stats, ConditionStatus conditions, bool learn)
    {
        var status = stats.Status;
        var codes = new List<DashboardPair>(stats.Subscriptions.Count);
        HashSet<(string, string)>? seen = learn ? [] : null;
        foreach (var p in stats.Subscriptions)
        {
            var key = (p.Code, p.Type);
            seen?.Add(key);
            if (!_pairs.TryGetValue(key, out var history))
            {
                history = new PairHistory(p.Ticks, stats.At);
                if (learn) _pairs[key] = history;
            }
            else if (learn) history.Learn(p.Ticks, stats.At);
            var staleness = !p.Confirmed ? "waiting" : !p.DataExpected ? "closed" : p.Stale ? "stale" : p.StaleAfter is null ? "learning" : "ok";
            codes.Add(new DashboardPair(p.Code, p.Type, p.Confirmed, p.LastTickAt, p.LastPrice, p.Ticks, history.Rate, history.Rates(),
                p.Silent?.TotalSeconds, p.StaleAfter?.TotalSeconds, staleness, p.Session, p.Gaps,
                p.LastGap is { } g ? new DashboardGap(g.From, g.To, Scrub(g.Cause)!, g.MissedVolume) : null));
        }
        if (seen is not null)
            foreach (var key in _pairs.Keys.Where(k => !seen.Contains(k)).ToList()) _pairs.Remove(key);   // unsubscribed: forget
        return new DashboardSnapshot(stats.At, StateOf(status),
            new DashboardSubscriptions(status.DesiredSubscriptions, status.ConfirmedSubscriptions, status.UnconfirmedSince),
            codes, [.. _timeline],
            new DashboardConnection(_restarts, _recoveryCount, _recoveries.First?.Value.Seconds, [.. _recoveries]),
            conditions.Conditions.Select(ConditionOf).ToList());
    }

    private DashboardCondition ConditionOf(FollowedCondition c) => new(c.Seq, c.Name, StateOf(c.State), c.MemberCount,
        c.Members, c.Subscribers, c.TickTypes,
        c.LastChange is { } change ? new DashboardConditionChange(change.At, change.Code, change.Entered ? "entered" : "left", change.Recovered) : null,
        c.Changes, c.RecoveredChanges, Scrub(c.LastError), c.NextRetryAt);

    private static string StateOf(FollowedConditionState state) => state switch
    {
        FollowedConditionState.Live => "live",
        FollowedConditionState.Retrying => "retrying",

        FollowedConditionState.Recovering => "recovering",
        FollowedConditionState.Requesting => "requesting",
        _ => "waiting",
    };

    private DashboardState StateOf(FeedStatus s) => new(s.State.ToString(), Scrub(s.Cause), s.Attempt, s.NextRetryAt, s.ConnectedSince, s.DownSince,
        s.IsPermanentFailure, s.RecentDrops, s.FlappingSince, s.StaleCodes);

    /// <summary>Each secret inside <paramref name="text"/> replaced, as the feed's own redaction shows one (the last 2
    /// characters at most); the feed's redaction itself is internal to ActorFeed.</summary>
    private string? Scrub(string? text)
    {
        if (text is null) return null;
        foreach (var secret in _secrets)
            if (!string.IsNullOrEmpty(secret) && secret.Length >= 4)
                text = text.Replace(secret, secret.Length < 12 ? "***" : $"***..{secret[^2..]}", StringComparison.Ordinal);
        return text;
    }

    private static void Remember<T>(LinkedList<T> ring, T item, int capacity)
    {
        ring.AddFirst(item);
        while (ring.Count > capacity) ring.RemoveLast();
    }

    /// <summary>The rate of one pair: ticks per second between two samples, the last <see cref="RateSamples"/> kept.</summary>
    private sealed class PairHistory(long ticks, DateTimeOffset at)
    {
        private readonly double[] _ring = new double[RateSamples];
        private int _count, _next;
        private long _ticks = ticks;
        private DateTimeOffset _at = at;

        public double? Rate { get; private set; }

        public void Learn(long ticks, DateTimeOffset at)
        {
            var seconds = (at - _at).TotalSeconds;
            if (seconds < 0.5) return;                     // too close to the last sample to say anything
            Rate = ticks >= _ticks ? Math.Round((ticks - _ticks) / seconds, 2) : null;
            _ticks = ticks;
            _at = at;
            if (Rate is not { } rate) return;
            _ring[_next] = rate;
            _next = (_next + 1) % RateSamples;
            if (_count < RateSamples) _count++;
        }

        public double[] Rates()
        {
            var result = new double[_count];
            for (var i = 0; i < _count; i++) result[i] = _ring[(_next - _count + i + RateSamples) % RateSamples];
            return result;
        }
    }
}
