using System.Globalization;
using Akka.Actor;
using Akka.Event;
using ActorFeed.Connection;
using ActorFeed.Kiwoom;
using ActorFeed.Messages;
using ActorFeed.Settings;
using ActorFeed.Supervision;
using static ActorFeed.Conditions.ConditionsProtocol;
using static ActorFeed.Connection.ConnectionProtocol;

namespace ActorFeed.Conditions;

/// <summary>
/// Condition search (조건검색), child <c>conditions</c> of the FeedSupervisor, which forwards it the public condition
/// messages and every new connection. The followed conditions are desired state like subscriptions: each has its
/// subscribers (ref-counted, death-watched), its members as last known (<see cref="ConditionMembers"/>) and the tick
/// types it drives. On every connection it asks CNSRLST first, then CNSRREQ search_type 1 for each followed condition;
/// the member list that comes back is diffed against the last known one, and every code that entered or left while the
/// link was down goes to every subscriber once, as <see cref="ConditionEntered"/> / <see cref="ConditionLeft"/> with
/// <c>Recovered</c> set. Changes pushed while a condition's CNSRREQ is not answered yet on this connection are buffered
/// in order and replayed through the same path as live ones once the member list came (a repeat changes nothing), so
/// the members always end as the server's, whichever of the reply and a push was computed first. Requests made while
/// not connected wait for the connection. A condition whose last subscriber leaves is cleared on the server (CNSRCLR).
/// Conditions with tick types hold those types of every member for each subscriber through the feed
/// (<see cref="HoldTicks"/>: holder "condition:N", counted apart from the host's own subscriptions) and release them
/// when the member leaves. <see cref="GetConditionStatus"/> reads what it holds (read-only).
/// <para>
/// A followed condition leaves only when its subscribers ask or die, or on a definite answer: an item-class refusal of
/// its CNSRREQ, or its seq absent from two server lists in a row. A refusal of another class, a CNSRLST refused or
/// without it once, and a request without reply (<see cref="ConditionOutcome.TimedOut"/>) keep a condition that had
/// members desired: the request is asked again after a backoff (backoff-min doubling to backoff-max, a warning each
/// time). A brand-new subscription (no member list yet) is rejected on a refusal, on a seq the list does not have, or
/// on a second request without reply; a one-shot search is asked once more after a request without reply (once per
/// connection). While a request is asked again after a backoff, <see cref="GetConditionStatus"/> shows the condition
/// <see cref="FollowedConditionState.Retrying"/> with the error and the time of the retry.
/// </para>
/// <para>
/// Each followed condition is an incarnation of its seq (a generation, carried by its requests): the outcomes of an
/// earlier incarnation's requests (unsubscribed, then followed again while its CNSRREQ or CNSRCLR was still queued) are
/// ignored, and a push for the seq is taken only once the current incarnation's CNSRREQ went out on this connection
/// (<see cref="ConditionOutcome.Sent"/>): one before belongs to an older registration, and the reply to come holds its effect.
/// </para>
/// </summary>
internal sealed class ConditionsActor : ReceiveActor, IWithTimers
{
    /// <summary>Changes buffered for one condition while its member list is awaited; beyond it the oldest is dropped.</summary>
    internal const int MaxBufferedChanges = 10_000;

    private readonly ActorFeedSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<int, Followed> _followed = [];
    private readonly List<IActorRef> _listWaiters = [];
    private readonly List<(int Seq, IActorRef ReplyTo)> _searchWaiters = [];                       // not sent yet
    private readonly Dictionary<int, List<IActorRef>> _searchesSent = [];                         // CNSRREQ 0 on its way
    private IActorRef? _connection;
    private readonly Dictionary<int, List<IActorRef>> _searchesParked = [];                       // CNSRREQ 0 unanswered: asked again after a backoff
    private readonly HashSet<int> _searchesRetried = [];                                          // CNSRREQ 0 asked again once already
    private readonly BackoffPolicy _backoff;          // before asking a failed condition request again: backoff-min doubling to backoff-max
    private Dictionary<int, ConditionEntry>? _list;   // this connection's CNSRLST, null until answered
    private bool _listSent;
    private int _listFailures;                        // CNSRLST refused / unanswered / lacking a followed seq, in a row
    private int _listTimeouts;                        // CNSRLST unanswered in a row
    private long _generations;                        // each Followed is a new incarnation of its seq: its requests and outcomes carry it

    public ConditionsActor(ActorFeedSettings settings, TimeProvider time)
    {
        _settings = settings;
        _time = time;
        _backoff = new BackoffPolicy(settings.BackoffMin, settings.BackoffMax, 0, settings.BackoffMax);
        Receive<ListConditions>(_ => OnList());
        Receive<SubscribeCondition>(OnSubscribe);
        Receive<UnsubscribeCondition>(OnUnsubscribe);
        Receive<SearchCondition>(OnSearch);
        Receive<GetConditionStatus>(m => Sender.Tell(Status(m)));
        Receive<ConnectionAvailable>(OnConnection);
        Receive<ConditionOutcome>(o => Sender.Equals(_connection), OnOutcome);
        Receive<ConditionChange>(_ => Sender.Equals(_connection), OnChange);
        Receive<Terminated>(OnTerminated);
        Receive<RetryList>(_ => OnRetryList());
        Receive<RetryCondition>(OnRetryCondition);
        Receive<RetrySearch>(OnRetrySearch);
        Receive<ConditionOutcome>(o => _log.Debug("Ignored {Outcome} from {Sender}: not the current connection", o.GetType().Name, Sender));
        Receive<ConditionChange>(c => _log.Debug("Ignored a change of condition {Seq} from {Sender}: not the current connection", c.Seq, Sender));
    }

    public static Props Props(ActorFeedSettings settings, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new ConditionsActor(settings, time));

    public ITimerScheduler Timers { get; set; } = null!;

    // ---------------------------------------------------------------- requests from the host

    private void OnList()
    {
        _listWaiters.Add(Sender);
        if (_connection is not null) SendList();
    }

    private void OnSubscribe(SubscribeCondition m)
    {
        var subscriber = m.Subscriber ?? Sender;
        var types = (m.TickTypes ?? []).Distinct(StringComparer.Ordinal).ToList();
        var error = m.Seq < 0 ? $"seq {m.Seq} is negative: use a seq of ListConditions" : null;
        error ??= types.Select(TypeError).FirstOrDefault(e => e is not null);
        if (error is null && (subscriber is null || subscriber.IsNobody() || subscriber.Equals(Context.System.DeadLetters)))
            error = "no subscriber: send SubscribeCondition from an actor or set SubscribeCondition.Subscriber";
        else if (error is null && subscriber is not IInternalActorRef)
            error = $"subscriber {subscriber} is not an actor of an actor system (it cannot be death-watched)";
        if (error is null && !_followed.ContainsKey(m.Seq) && _followed.Count >= _settings.ConditionsMaxRealtime)
            error = $"at most {_settings.ConditionsMaxRealtime} real-time conditions per session (actorfeed.conditions.max-realtime); " +
                    $"already following {string.Join(", ", _followed.Keys.Order())}";
        if (error is not null)
        {
            Reject(m.Seq, error, subscriber, Sender);
            return;
        }
        if (!_followed.TryGetValue(m.Seq, out var followed))
        {
            _followed[m.Seq] = followed = new Followed(m.Seq, ++_generations);
            _log.Info("Following condition {Seq}", m.Seq);
        }
        if (!followed.Subscribers.TryGetValue(subscriber!, out var state))
        {
            if (!IsSubscribedElsewhere(subscriber!)) Context.Watch(subscriber);
            followed.Subscribers[subscriber!] = state = new SubscriberState();
        }
        var added = types.Where(t => state.TickTypes.Add(t)).ToList();
        if (followed.Members.Known)
        {
            Hold(followed, subscriber!, followed.Members.Codes, added);
            state.Snapshotted = true;
            Tell(subscriber!, new ConditionSnapshot(followed.Seq, followed.Name, followed.Members.Codes.ToList()));
        }
        Request(followed);
    }

    private static string? TypeError(string? type)
    {
        if (string.IsNullOrEmpty(type)) return "a tick type is missing";
        if (!RealTypes.IsKnown(type)) return $"unknown tick type '{type}' (known: {string.Join(", ", RealTypes.Names.Keys)})";
        if (RealTypes.IsAccountType(type)) return $"tick type {type} is per account: a condition can only drive the types of its member codes";
        return null;
    }

    private void OnUnsubscribe(UnsubscribeCondition m)
    {
        var subscriber = m.Subscriber ?? Sender;
        if (_followed.TryGetValue(m.Seq, out var followed) && followed.Subscribers.Remove(subscriber, out var state))
        {
            Release(followed, subscriber, followed.Members.Codes, state.TickTypes);
            if (!IsSubscribedElsewhere(subscriber)) Context.Unwatch(subscriber);
            ClearIfUnused(followed);
        }
        Tell(subscriber, new ConditionUnsubscribed(m.Seq));
    }

    private void OnSearch(SearchCondition m)
    {
        if (m.Seq < 0)
        {
            Tell(Sender, new ConditionRejected(m.Seq, $"seq {m.Seq} is negative: use a seq of ListConditions"));
            return;
        }
        _searchWaiters.Add((m.Seq, Sender));
        if (_connection is not null) SendWaitingSearches();
    }

    // ---------------------------------------------------------------- the connection

    private void OnConnection(ConnectionAvailable m)
    {
        if (m.Connection.Equals(_connection)) return;
        if (_connection is not null) Context.Unwatch(_connection);
        LinkLost();
        _connection = m.Connection;
        Context.Watch(_connection);
        if (_followed.Count > 0 || _listWaiters.Count > 0 || _searchWaiters.Count > 0)
        {
            _log.Info("Replaying {Count} condition(s) to the new connection", _followed.Count);
            SendList();
        }
    }

    private void OnTerminated(Terminated t)
    {
        if (t.ActorRef.Equals(_connection))
        {
            LinkLost();
            return;
        }
        foreach (var followed in _followed.Values.ToList())
            if (followed.Subscribers.Remove(t.ActorRef)) ClearIfUnused(followed);   // the feed's SubscriptionActors drop its ticks themselves
    }

    /// <summary>Nothing carries over a reconnection: the list is asked again and every followed condition requested again
    /// (at once: the retries waiting for a backoff are the new connection's first requests); one-shot searches on their
    /// way are sent again, each with a retry of its own on the new connection. The failure counts of followed conditions
    /// stay until a success (the request on the next connection is the retry); the list's timeouts start again.</summary>
    private void LinkLost()
    {
        _connection = null;
        _list = null;
        _listSent = false;
        _listTimeouts = 0;
        Timers.CancelAll();
        foreach (var followed in _followed.Values)
        {
            followed.Requested = followed.Live = followed.SentOnLink = followed.TimedOutOnLink = followed.Accepting = false;
            followed.NextRetryAt = null;               // asked at once on the next connection
            followed.Buffered.Clear();                 // the next member list holds them
            followed.BufferedOverflowLogged = false;
        }
        foreach (var (seq, waiters) in _searchesSent.Concat(_searchesParked))
            foreach (var waiter in waiters) _searchWaiters.Add((seq, waiter));
        _searchesSent.Clear();
        _searchesParked.Clear();
        _searchesRetried.Clear();
    }

    private void SendList()
    {
        if (_listSent || _connection is null || Timers.IsTimerActive(RetryList.Instance)) return;   // a retry waits for its backoff
        _listSent = true;
        _connection.Tell(new ConditionCommand(ConditionRequest.List.Instance));
    }

    /// <summary>CNSRREQ search_type 1 for a followed condition, once the list is known on this connection and no retry
    /// waits for its backoff. A seq the list lacks rejects a brand-new subscription; one that had members waits for the
    /// list asked again (see <see cref="OnListed"/>).</summary>
    private void Request(Followed followed)
    {
        if (_connection is null || followed.Requested || Timers.IsTimerActive(new RetryCondition(followed.Seq))) return;
        if (_list is null)
        {
            SendList();
            return;
        }
        if (!_list.TryGetValue(followed.Seq, out var entry))
        {
            if (!followed.Members.Known) RejectFollowed(followed, $"condition {followed.Seq} is not in the server's list (CNSRLST: {Listed()})");
            return;
        }
        followed.Name = entry.Name;
        followed.Raw = entry.Seq;
        followed.Requested = followed.SentOnLink = true;
        followed.Live = false;                         // changes pushed before the reply are buffered (once it went out)
        followed.NextRetryAt = null;
        _connection.Tell(new ConditionCommand(new ConditionRequest.Search(entry.Seq, Realtime: true, followed.Generation)));
    }

    private void SendWaitingSearches()
    {
        if (_connection is null || _searchWaiters.Count == 0) return;
        if (_list is null)
        {
            SendList();
            return;
        }
        foreach (var (seq, replyTo) in _searchWaiters)
        {
            if (!_list.TryGetValue(seq, out var entry))
            {
                _searchesRetried.Remove(seq);
                Tell(replyTo, new ConditionRejected(seq, $"condition {seq} is not in the server's list (CNSRLST: {Listed()})"));
                continue;
            }
            if (_searchesSent.TryGetValue(seq, out var waiters))
            {
                waiters.Add(replyTo);                                       // the same search is on its way: one answer for both
                continue;
            }
            _searchesSent[seq] = [replyTo];
            _connection.Tell(new ConditionCommand(new ConditionRequest.Search(entry.Seq, Realtime: false)));
        }
        _searchWaiters.Clear();
    }

    private string Listed() => _list is { Count: > 0 } list ? string.Join(", ", list.Values.Select(e => $"{e.Seq} {e.Name}")) : "empty";

    // ---------------------------------------------------------------- replies and changes

    private void OnOutcome(ConditionOutcome outcome)
    {
        switch (outcome)
        {
            case ConditionOutcome.Listed listed:
                OnListed(listed.Conditions);
                break;
            case ConditionOutcome.Sent { Request: ConditionRequest.Search { Realtime: true } sent }:
                if (Current(sent) is { } sentCondition)
                {
                    sentCondition.Accepting = true;         // its pushes from now on are this registration's
                    sentCondition.Buffered.Clear();         // those before it are older (the reply to come holds them)
                    sentCondition.BufferedOverflowLogged = false;
                }
                break;
            case ConditionOutcome.Sent:
                break;
            case ConditionOutcome.Found { Request.Realtime: true } found:
                if (Current(found.Request) is { } followed) OnMembers(followed, found.Codes, found.Truncated);
                break;
            case ConditionOutcome.Found found:
                if (SeqOf(found.Request.ConditionSeq) is { } seq && _searchesSent.Remove(seq, out var waiters))
                {
                    _searchesRetried.Remove(seq);
                    var name = _list?.GetValueOrDefault(seq)?.Name ?? "";
                    foreach (var waiter in waiters) Tell(waiter, new ConditionSearchResult(seq, name, found.Codes));
                }
                break;
            case ConditionOutcome.Refused { Request: ConditionRequest.List } refused:
                _listSent = false;
                ListFailed($"server refused CNSRLST: {refused.Error}");
                break;
            case ConditionOutcome.Refused { Request: ConditionRequest.Search { Realtime: true } search } refused:
                if (Current(search) is { Requested: true } refusedCondition)
                {
                    refusedCondition.Requested = false;
                    // the server does not have this one; an earlier CNSRREQ of it on this link that went unanswered may be
                    // active though: then CNSRCLR when it ends (refused and logged at worst)
                    if (!refusedCondition.TimedOutOnLink) refusedCondition.SentOnLink = false;
                    var why = $"server refused {search}: {refused.Error}";
                    if (refused.Error.Class == KiwoomErrorClass.Item || !refusedCondition.Members.Known) RejectFollowed(refusedCondition, why);
                    else RetryLater(refusedCondition, why);
                }
                break;
            case ConditionOutcome.Refused { Request: ConditionRequest.Search search } refused:
                if (SeqOf(search.ConditionSeq) is { } s && _searchesSent.Remove(s, out var refusedWaiters))
                {
                    _searchesRetried.Remove(s);
                    foreach (var waiter in refusedWaiters) Tell(waiter, new ConditionRejected(s, $"server refused {search}: {refused.Error}"));
                }
                break;
            case ConditionOutcome.Refused refused:
                _log.Warning("{Request} refused by the server: {Error}", refused.Request, refused.Error);
                break;
            case ConditionOutcome.TimedOut timedOut:
                OnTimedOut(timedOut.Request);
                break;
        }
    }

    /// <summary>
    /// A request the server did not answer in time (the connection dropped it; the link lives on). CNSRLST and a one-shot
    /// search are asked once more after a backoff, then rejected to whoever waits (a followed condition that had members
    /// keeps waiting for the list, asked again with a growing backoff). A real-time CNSRREQ of a condition that had
    /// members is asked again with a growing backoff for as long as it is followed; a brand-new one once more, then
    /// rejected. A CNSRCLR is not asked again (the connection logged it).
    /// </summary>
    private void OnTimedOut(ConditionRequest request)
    {
        var reason = $"no reply to {request} within {_settings.RequestTimeout} (actorfeed.connection.request-timeout)";
        switch (request)
        {
            case ConditionRequest.List:
                _listSent = false;
                if (++_listTimeouts < 2) ScheduleListRetry(reason + "; asking once more");
                else ListFailed(reason + ", twice");
                break;
            case ConditionRequest.Search { Realtime: true } search:
                if (Current(search) is not { Requested: true } followed) break;
                followed.Requested = false;                // SentOnLink stays: the server may have it (CNSRCLR when it ends)
                followed.TimedOutOnLink = true;
                if (!followed.Members.Known && ++followed.TimedOut >= 2) RejectFollowed(followed, reason + ", twice");
                else RetryLater(followed, reason);
                break;
            case ConditionRequest.Search search:
                if (SeqOf(search.ConditionSeq) is not { } seq || !_searchesSent.Remove(seq, out var waiters)) break;
                if (_searchesRetried.Add(seq))
                {
                    var delay = _backoff.DelayFor(1, FailureKind.Transient, 0);
                    _searchesParked[seq] = waiters;
                    Timers.StartSingleTimer(new RetrySearch(seq), new RetrySearch(seq), delay);   // timers before the log line: whoever sees it may count on them
                    _log.Warning("{Reason}; asking once more in {Delay}", reason, delay);
                    break;
                }
                _searchesRetried.Remove(seq);
                foreach (var waiter in waiters) Tell(waiter, new ConditionRejected(seq, reason + ", twice"));
                break;
        }
    }

    /// <summary>CNSRLST refused, or unanswered twice: whoever waits for the list or a one-shot search, and every brand-new
    /// subscription, is rejected; followed conditions that had members stay desired and the list is asked again after a
    /// backoff.</summary>
    private void ListFailed(string reason)
    {
        foreach (var waiter in _listWaiters) Tell(waiter, new ConditionRejected(null, reason));
        _listWaiters.Clear();
        foreach (var (waitingSeq, replyTo) in _searchWaiters)
        {
            _searchesRetried.Remove(waitingSeq);
            Tell(replyTo, new ConditionRejected(waitingSeq, reason));
        }
        _searchWaiters.Clear();
        foreach (var brandNew in _followed.Values.Where(f => !f.Members.Known && !f.Requested).ToList()) RejectFollowed(brandNew, reason);
        if (_followed.Values.Any(f => !f.Requested)) ScheduleListRetry(reason + "; followed conditions are kept");
    }

    /// <summary>The list is asked again after the next backoff step (a warning line); what waits for it waits on.</summary>
    private void ScheduleListRetry(string reason)
    {
        if (_connection is null || Timers.IsTimerActive(RetryList.Instance)) return;
        var delay = _backoff.DelayFor(++_listFailures, FailureKind.Transient, 0);
        Timers.StartSingleTimer(RetryList.Instance, RetryList.Instance, delay);
        foreach (var waiting in _followed.Values.Where(f => !f.Requested))
            (waiting.LastError, waiting.NextRetryAt) = (reason, _time.GetUtcNow() + delay);
        _log.Warning("{Reason}; asking CNSRLST again in {Delay} (attempt {Attempt})", reason, delay, _listFailures);
    }

    private void OnRetryList()
    {
        foreach (var followed in _followed.Values) followed.NextRetryAt = null;
        _list = null;                                  // a fresh list: a followed seq missing from the last one is checked again
        SendList();
    }

    /// <summary>A followed condition stays desired: its CNSRREQ is asked again after the next backoff step (a warning line).</summary>
    private void RetryLater(Followed followed, string reason)
    {
        var delay = _backoff.DelayFor(++followed.Failures, FailureKind.Transient, 0);
        Timers.StartSingleTimer(new RetryCondition(followed.Seq), new RetryCondition(followed.Seq), delay);
        (followed.LastError, followed.NextRetryAt) = (reason, _time.GetUtcNow() + delay);
        _log.Warning("Condition {Seq}: {Reason}; still followed, requesting it again in {Delay} (attempt {Attempt})", followed.Seq, reason, delay, followed.Failures);
    }

    private void OnRetryCondition(RetryCondition m)
    {
        if (_followed.TryGetValue(m.Seq, out var followed)) Request(followed);
    }

    private void OnRetrySearch(RetrySearch m)
    {
        if (!_searchesParked.Remove(m.Seq, out var waiters)) return;
        foreach (var waiter in waiters) _searchWaiters.Add((m.Seq, waiter));
        SendWaitingSearches();
    }

    /// <summary>
    /// The server's list: answers whoever asked, then requests each followed condition it has. A followed seq it lacks
    /// rejects a brand-new subscription at once; a condition that had members is rejected only when a second list in a
    /// row lacks it too (a list momentarily empty or partial must not end it): after the first, the list is asked again
    /// after a backoff.
    /// </summary>
    private void OnListed(IReadOnlyList<ConditionEntry> entries)
    {
        _listSent = false;                                             // a later ListConditions asks the server again
        _listTimeouts = 0;
        _list = [];
        foreach (var entry in entries)
            if (SeqOf(entry.Seq) is { } seq) _list.TryAdd(seq, entry);
        var answer = new ConditionList(_list.Select(kv => new ConditionInfo(kv.Key, kv.Value.Name)).ToList());
        foreach (var waiter in _listWaiters) Tell(waiter, answer);
        _listWaiters.Clear();
        var missing = new List<int>();
        foreach (var followed in _followed.Values.ToList())
        {
            if (_list.ContainsKey(followed.Seq))
            {
                followed.Missing = 0;
                Request(followed);
                continue;
            }
            var reason = $"condition {followed.Seq} is not in the server's list (CNSRLST: {Listed()})";
            if (!followed.Members.Known) RejectFollowed(followed, reason);
            else if (++followed.Missing >= 2) RejectFollowed(followed, reason + ", two lists in a row");
            else missing.Add(followed.Seq);
        }
        if (missing.Count > 0)
            ScheduleListRetry($"followed condition(s) {string.Join(", ", missing)} not in the server's list (CNSRLST: {Listed()}): kept until a second list lacks them too");
        else
            _listFailures = 0;
        SendWaitingSearches();
    }

    /// <summary>
    /// The members of a followed condition from the server: the first list goes to every subscriber as a snapshot; a
    /// later one (after a reconnection) is diffed against the last known, and each code that entered or left meanwhile
    /// goes to every subscriber that has a snapshot, once, marked recovered (a subscriber without one gets a snapshot).
    /// Then the changes pushed before this reply are replayed in order as live ones (a repeat changes nothing), so the
    /// members end as the server's whether the reply was computed before or after them. A truncated reply (<c>cont_yn</c>
    /// "Y" on search_type 1: not every member is in it) adds its codes and removes none: a code missing from it may be on
    /// the page not sent.
    /// </summary>
    private void OnMembers(Followed followed, IReadOnlyList<string> codes, bool truncated)
    {
        if (truncated)
            _log.Warning("Condition {Seq}: the real-time CNSRREQ reply says more pages follow (cont_yn Y); the protocol notes page only " +
                         "one-shot searches (search_type 0), so only its {Count} member(s) are known", followed.Seq, codes.Count);
        followed.Live = true;
        followed.Failures = followed.TimedOut = 0;
        (followed.LastError, followed.NextRetryAt) = (null, null);
        var first = !followed.Members.Known;
        var (entered, left) = truncated && !first
            ? (codes.Where(followed.Members.Enter).ToList(), (IReadOnlyList<string>)[])
            : followed.Members.Replace(codes);
        var now = _time.GetUtcNow();
        if (!first)
        {
            foreach (var code in left) followed.Changed(new ConditionMemberChange(code, Entered: false, now, Recovered: true));
            foreach (var code in entered) followed.Changed(new ConditionMemberChange(code, Entered: true, now, Recovered: true));
        }
        if (!first && (entered.Count > 0 || left.Count > 0))
            _log.Info("Condition {Seq} after the reconnection: {Entered} entered and {Left} left meanwhile", followed.Seq, entered.Count, left.Count);
        foreach (var (subscriber, state) in followed.Subscribers)
        {
            if (!state.Snapshotted)
            {
                state.Snapshotted = true;
                Hold(followed, subscriber, followed.Members.Codes, state.TickTypes);
                Tell(subscriber, new ConditionSnapshot(followed.Seq, followed.Name, followed.Members.Codes.ToList()));
                continue;
            }
            Release(followed, subscriber, left, state.TickTypes);
            Hold(followed, subscriber, entered, state.TickTypes);
            foreach (var code in left) Tell(subscriber, new ConditionLeft(followed.Seq, code, now, Recovered: true));
            foreach (var code in entered) Tell(subscriber, new ConditionEntered(followed.Seq, code, now, Recovered: true));
        }
        var buffered = followed.Buffered.ToList();
        followed.Buffered.Clear();
        followed.BufferedOverflowLogged = false;
        foreach (var change in buffered) Apply(followed, change);
    }

    /// <summary>A pushed change (FID 841 compared by number): applied when the condition's member list came on this
    /// connection, else buffered until it comes.</summary>
    private void OnChange(ConditionChange change)
    {
        if (BySeq(change.Seq) is not { } followed) return;                      // not followed (any more)
        if (!followed.Accepting)
        {
            // its CNSRREQ has not gone out on this link yet: an older registration's push (a CNSRCLR not answered yet)
            _log.Debug("Condition {Seq}: dropped a change of {Code} pushed before its CNSRREQ went out on this connection", followed.Seq, change.Code);
            return;
        }
        if (followed.Live)
        {
            Apply(followed, change);
            return;
        }
        if (followed.Buffered.Count >= MaxBufferedChanges)
        {
            followed.Buffered.Dequeue();
            if (followed.BufferedOverflowLogged) _log.Debug("Condition {Seq}: buffer full, the oldest change dropped", followed.Seq);
            else _log.Warning("Condition {Seq}: more than {Max} changes pushed before its member list came; the oldest are dropped " +
                              "(a code whose last change is dropped may show the reply's membership instead)", followed.Seq, MaxBufferedChanges);
            followed.BufferedOverflowLogged = true;
        }
        followed.Buffered.Enqueue(change);
    }

    private void Apply(Followed followed, ConditionChange change)
    {
        if (change.Entered ? !followed.Members.Enter(change.Code) : !followed.Members.Leave(change.Code)) return;
        followed.Changed(new ConditionMemberChange(change.Code, change.Entered, change.At, Recovered: false));
        foreach (var (subscriber, state) in followed.Subscribers)
        {
            if (!state.Snapshotted) continue;
            if (change.Entered)
            {
                Hold(followed, subscriber, [change.Code], state.TickTypes);
                Tell(subscriber, new ConditionEntered(followed.Seq, change.Code, change.At, Recovered: false));
            }
            else
            {
                Release(followed, subscriber, [change.Code], state.TickTypes);
                Tell(subscriber, new ConditionLeft(followed.Seq, change.Code, change.At, Recovered: false));
            }
        }
    }

    // ---------------------------------------------------------------- status (read-only)

    private ConditionStatus Status(GetConditionStatus m)
    {
        var max = Math.Max(0, m.MaxMembers);
        var conditions = _followed.Values.OrderBy(f => f.Seq).Select(f => new FollowedCondition(
            f.Seq, f.Name, StateOf(f), f.Members.Codes.Count, f.Members.Codes.Take(max).ToList(), f.Subscribers.Count,
            f.Subscribers.Values.SelectMany(s => s.TickTypes).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            f.LastChange, f.Changes, f.RecoveredChanges, f.LastError, f.NextRetryAt)).ToList();
        return new ConditionStatus(conditions, _time.GetUtcNow());
    }

    private FollowedConditionState StateOf(Followed followed) =>
        _connection is null ? FollowedConditionState.WaitingForConnection
        : followed.Live ? FollowedConditionState.Live
        : followed.NextRetryAt is not null ? FollowedConditionState.Retrying
        : followed.Members.Known ? FollowedConditionState.Recovering
        : FollowedConditionState.Requesting;

    // ---------------------------------------------------------------- helpers

    /// <summary>The followed condition a server's seq stands for, by number ("01" is "1").</summary>
    private Followed? BySeq(string raw) => SeqOf(raw) is { } seq && _followed.TryGetValue(seq, out var followed) ? followed : null;

    private static int? SeqOf(string? raw) => ConditionRequests.SeqNumber(raw);

    /// <summary>The followed condition a real-time CNSRREQ's outcome is about, if it is still the incarnation that asked
    /// (one unsubscribed and followed again under the same seq is another: the older one's outcomes are ignored).</summary>
    private Followed? Current(ConditionRequest.Search search)
    {
        var followed = BySeq(search.ConditionSeq);
        if (followed is null || followed.Generation == search.Generation) return followed;
        _log.Debug("Ignored the outcome of {Request}: asked by an earlier incarnation of condition {Seq}", search, followed.Seq);
        return null;
    }

    /// <summary>The last subscriber left: forget the condition and clear its real-time search on the server.</summary>
    private void ClearIfUnused(Followed followed)
    {
        if (followed.Subscribers.Count > 0) return;
        Forget(followed);
        _log.Info("Condition {Seq} has no subscriber left{Clear}", followed.Seq, followed.SentOnLink ? "; CNSRCLR" : "");
        if (followed.SentOnLink && _connection is not null && followed.Raw is { } raw)
            _connection.Tell(new ConditionCommand(new ConditionRequest.Clear(raw, followed.Generation)));
    }

    private void Forget(Followed followed)
    {
        _followed.Remove(followed.Seq);
        Timers.Cancel(new RetryCondition(followed.Seq));
    }

    /// <summary>A followed condition ends: its subscribers are told why and its ticks released; cleared on the server
    /// when it may have it (a CNSRREQ went out on this connection and was not refused, or an earlier one went unanswered).</summary>
    private void RejectFollowed(Followed followed, string reason)
    {
        _log.Warning("Condition {Seq} rejected: {Reason}", followed.Seq, reason);
        Forget(followed);
        foreach (var (subscriber, state) in followed.Subscribers)
        {
            Release(followed, subscriber, followed.Members.Codes, state.TickTypes);
            if (!IsSubscribedElsewhere(subscriber)) Context.Unwatch(subscriber);
            Tell(subscriber, new ConditionRejected(followed.Seq, reason));
        }
        if (followed.SentOnLink && _connection is not null && followed.Raw is { } raw)
            _connection.Tell(new ConditionCommand(new ConditionRequest.Clear(raw, followed.Generation)));
    }

    private void Reject(int seq, string reason, IActorRef? subscriber, IActorRef sender)
    {
        _log.Warning("SubscribeCondition {Seq} rejected: {Reason}", seq, reason);
        var rejected = new ConditionRejected(seq, reason);
        var told = false;
        if (subscriber is not null && !subscriber.IsNobody() && !subscriber.Equals(Context.System.DeadLetters))
        {
            Tell(subscriber, rejected);
            told = true;
        }
        if (!sender.Equals(subscriber) && !sender.IsNobody() && !sender.Equals(Context.System.DeadLetters))
        {
            Tell(sender, rejected);
            told = true;
        }
        if (!told) Context.System.EventStream.Publish(rejected);
    }

    private void Hold(Followed followed, IActorRef subscriber, IEnumerable<string> codes, IEnumerable<string> types)
    {
        foreach (var code in codes)
            foreach (var type in types)
                if (InstrumentCode.Validate(code, type) is null) Context.Parent.Tell(new HoldTicks(code, type, subscriber, followed.Holder));
    }

    private void Release(Followed followed, IActorRef subscriber, IEnumerable<string> codes, IEnumerable<string> types)
    {
        foreach (var code in codes)
            foreach (var type in types)
                if (InstrumentCode.Validate(code, type) is null) Context.Parent.Tell(new ReleaseTicks(code, type, subscriber, followed.Holder));
    }

    private bool IsSubscribedElsewhere(IActorRef subscriber) => _followed.Values.Any(f => f.Subscribers.ContainsKey(subscriber));

    /// <summary>A subscriber's ref that throws must not keep the others from being told.</summary>
    private void Tell(IActorRef to, object message)
    {
        try
        {
            to.Tell(message);
        }
        catch (Exception e)
        {
            _log.Warning(e, "Telling {Subscriber} {MessageType} failed", to, message.GetType().Name);
        }
    }

    private sealed class Followed(int seq, long generation)
    {
        public int Seq { get; } = seq;
        public long Generation { get; } = generation;   // this incarnation of the seq (see ConditionRequest.Search.Generation)
        public string Holder { get; } = "condition:" + seq.ToString(CultureInfo.InvariantCulture);
        public string Name { get; set; } = "";
        public string? Raw { get; set; }           // the seq as the server listed it (sent back as is)
        public bool Requested { get; set; }        // CNSRREQ 1 in flight or answered on the current connection
        public bool Live { get; set; }             // its member list came on the current connection: changes apply at once
        public bool SentOnLink { get; set; }       // CNSRREQ 1 went out on this connection and the server may have it (not refused, or an earlier one went unanswered)
        public bool TimedOutOnLink { get; set; }   // a CNSRREQ 1 of it went unanswered on this connection: a later refusal does not mean the server lacks it
        public bool Accepting { get; set; }        // its CNSRREQ 1 went out on this connection: pushes are its own (before: an older registration's)
        public string? LastError { get; set; }     // why the last request failed, until a member list comes
        public DateTimeOffset? NextRetryAt { get; set; }   // when it is asked again (a retry timer runs), else null
        public Queue<ConditionChange> Buffered { get; } = new();   // pushed before the member list came, in order
        public bool BufferedOverflowLogged { get; set; }
        public int Failures { get; set; }          // refusals / timeouts in a row: the backoff step of the next retry
        public int TimedOut { get; set; }          // requests without reply in a row (a brand-new one is rejected at 2)
        public int Missing { get; set; }           // server lists in a row without it (one that had members is rejected at 2)
        public ConditionMemberChange? LastChange { get; private set; }
        public long Changes { get; private set; }
        public long RecoveredChanges { get; private set; }
        public ConditionMembers Members { get; } = new();
        public Dictionary<IActorRef, SubscriberState> Subscribers { get; } = [];

        /// <summary>A change of the members, told to the subscribers: counted for <see cref="GetConditionStatus"/>.</summary>
        public void Changed(ConditionMemberChange change)
        {
            LastChange = change;
            Changes++;
            if (change.Recovered) RecoveredChanges++;
        }
    }

    /// <summary>Timer: ask CNSRLST again.</summary>
    private sealed class RetryList : IDeadLetterSuppression { public static readonly RetryList Instance = new(); }

    /// <summary>Timer: request a followed condition again.</summary>
    private sealed record RetryCondition(int Seq) : IDeadLetterSuppression;

    /// <summary>Timer: send a one-shot search again.</summary>
    private sealed record RetrySearch(int Seq) : IDeadLetterSuppression;

    private sealed class SubscriberState
    {
        public HashSet<string> TickTypes { get; } = new(StringComparer.Ordinal);
        public bool Snapshotted { get; set; }
    }
}
