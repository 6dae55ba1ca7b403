using System.Globalization;
using Akka.Actor;
using Akka.Event;
using ActorFeed.Connection;
using ActorFeed.Kiwoom;
using ActorFeed.Messages;
using ActorFeed.Settings;
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
/// <c>Recovered</c> set. Requests made while not connected wait for the connection. A condition whose last subscriber
/// leaves is cleared on the server (CNSRCLR). Conditions with tick types hold those types of every member for each
/// subscriber through the feed (<see cref="HoldTicks"/>: holder "condition:N", counted apart from the host's own
/// subscriptions) and release them when the member leaves. <see cref="GetConditionStatus"/> reads what it holds (read-only).
/// </summary>
internal sealed class ConditionsActor : ReceiveActor
{
    private readonly ActorFeedSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<int, Followed> _followed = [];
    private readonly List<IActorRef> _listWaiters = [];
    private readonly List<(int Seq, IActorRef ReplyTo)> _searchWaiters = [];                       // not sent yet
    private readonly Dictionary<int, List<IActorRef>> _searchesSent = [];                         // CNSRREQ 0 on its way
    private IActorRef? _connection;
    private Dictionary<int, ConditionEntry>? _list;   // this connection's CNSRLST, null until answered
    private bool _listSent;

    public ConditionsActor(ActorFeedSettings settings, TimeProvider time)
    {
        _settings = settings;
        _time = time;
        Receive<ListConditions>(_ => OnList());
        Receive<SubscribeCondition>(OnSubscribe);
        Receive<UnsubscribeCondition>(OnUnsubscribe);
        Receive<SearchCondition>(OnSearch);
        Receive<GetConditionStatus>(m => Sender.Tell(Status(m)));
        Receive<ConnectionAvailable>(OnConnection);
        Receive<ConditionOutcome>(o => Sender.Equals(_connection), OnOutcome);
        Receive<ConditionChange>(_ => Sender.Equals(_connection), OnChange);
        Receive<Terminated>(OnTerminated);
        Receive<ConditionOutcome>(o => _log.Debug("Ignored {Outcome} from {Sender}: not the current connection", o.GetType().Name, Sender));
        Receive<ConditionChange>(c => _log.Debug("Ignored a change of condition {Seq} from {Sender}: not the current connection", c.Seq, Sender));
    }

    public static Props Props(ActorFeedSettings settings, TimeProvider time) =>
        Akka.Actor.Props.Create(() => new ConditionsActor(settings, time));

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
            _followed[m.Seq] = followed = new Followed(m.Seq);
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

    /// <summary>Nothing carries over a reconnection: the list is asked again and every followed condition requested again;
    /// one-shot searches on their way are sent again.</summary>
    private void LinkLost()
    {
        _connection = null;
        _list = null;
        _listSent = false;
        foreach (var followed in _followed.Values) followed.Requested = followed.Answered = false;
        foreach (var (seq, waiters) in _searchesSent)
            foreach (var waiter in waiters) _searchWaiters.Add((seq, waiter));
        _searchesSent.Clear();
    }

    private void SendList()
    {
        if (_listSent || _connection is null) return;
        _listSent = true;
        _connection.Tell(new ConditionCommand(ConditionRequest.List.Instance));
    }

    /// <summary>CNSRREQ search_type 1 for a followed condition, once the list is known on this connection.</summary>
    private void Request(Followed followed)
    {
        if (_connection is null || followed.Requested) return;
        if (_list is null)
        {
            SendList();
            return;
        }
        if (!_list.TryGetValue(followed.Seq, out var entry))
        {
            RejectFollowed(followed, $"condition {followed.Seq} is not in the server's list (CNSRLST: {Listed()})");
            return;
        }
        followed.Name = entry.Name;
        followed.Raw = entry.Seq;
        followed.Requested = true;
        _connection.Tell(new ConditionCommand(new ConditionRequest.Search(entry.Seq, Realtime: true)));
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
            case ConditionOutcome.Found { Request.Realtime: true } found:
                if (ByRaw(found.Request.ConditionSeq) is { } followed) OnMembers(followed, found.Codes);
                break;
            case ConditionOutcome.Found found:
                if (SeqOf(found.Request.ConditionSeq) is { } seq && _searchesSent.Remove(seq, out var waiters))
                {
                    var name = _list?.GetValueOrDefault(seq)?.Name ?? "";
                    foreach (var waiter in waiters) Tell(waiter, new ConditionSearchResult(seq, name, found.Codes));
                }
                break;
            case ConditionOutcome.Refused { Request: ConditionRequest.List } refused:
                _listSent = false;
                var reason = $"server refused CNSRLST: {refused.Error}";
                foreach (var waiter in _listWaiters) Tell(waiter, new ConditionRejected(null, reason));
                _listWaiters.Clear();
                foreach (var (waitingSeq, replyTo) in _searchWaiters) Tell(replyTo, new ConditionRejected(waitingSeq, reason));
                _searchWaiters.Clear();
                foreach (var unrequested in _followed.Values.Where(f => !f.Requested).ToList()) RejectFollowed(unrequested, reason);
                break;
            case ConditionOutcome.Refused { Request: ConditionRequest.Search { Realtime: true } search } refused:
                if (ByRaw(search.ConditionSeq) is { } refusedCondition)
                    RejectFollowed(refusedCondition, $"server refused {search}: {refused.Error}", clear: false);
                break;
            case ConditionOutcome.Refused { Request: ConditionRequest.Search search } refused:
                if (SeqOf(search.ConditionSeq) is { } s && _searchesSent.Remove(s, out var refusedWaiters))
                    foreach (var waiter in refusedWaiters) Tell(waiter, new ConditionRejected(s, $"server refused {search}: {refused.Error}"));
                break;
            case ConditionOutcome.Refused refused:
                _log.Warning("{Request} refused by the server: {Error}", refused.Request, refused.Error);
                break;
        }
    }

    private void OnListed(IReadOnlyList<ConditionEntry> entries)
    {
        _listSent = false;                                             // a later ListConditions asks the server again
        _list = [];
        foreach (var entry in entries)
            if (SeqOf(entry.Seq) is { } seq) _list.TryAdd(seq, entry);
        var answer = new ConditionList(_list.Select(kv => new ConditionInfo(kv.Key, kv.Value.Name)).ToList());
        foreach (var waiter in _listWaiters) Tell(waiter, answer);
        _listWaiters.Clear();
        foreach (var followed in _followed.Values.ToList()) Request(followed);
        SendWaitingSearches();
    }

    /// <summary>
    /// The members of a followed condition from the server: the first list goes to every subscriber as a snapshot; a
    /// later one (after a reconnection) is diffed against the last known, and each code that entered or left meanwhile
    /// goes to every subscriber that has a snapshot, once, marked recovered (a subscriber without one gets a snapshot).
    /// </summary>
    private void OnMembers(Followed followed, IReadOnlyList<string> codes)
    {
        var first = !followed.Members.Known;
        var (entered, left) = followed.Members.Replace(codes);
        var now = _time.GetUtcNow();
        followed.Answered = true;
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
    }

    private void OnChange(ConditionChange change)
    {
        if (ByRaw(change.Seq) is not { Members.Known: true } followed) return;   // not followed (any more), or before its member list
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
            f.LastChange, f.Changes, f.RecoveredChanges)).ToList();
        return new ConditionStatus(conditions, _time.GetUtcNow());
    }

    private FollowedConditionState StateOf(Followed followed) =>
        _connection is null ? FollowedConditionState.WaitingForConnection
        : followed.Answered ? FollowedConditionState.Live
        : followed.Members.Known ? FollowedConditionState.Recovering
        : FollowedConditionState.Requesting;

    // ---------------------------------------------------------------- helpers

    private Followed? ByRaw(string raw)
    {
        foreach (var followed in _followed.Values)
            if (followed.Raw == raw) return followed;
        return SeqOf(raw) is { } seq && _followed.TryGetValue(seq, out var bySeq) && bySeq.Raw is null ? bySeq : null;
    }

    private static int? SeqOf(string? raw) =>
        int.TryParse(raw?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seq) ? seq : null;

    /// <summary>The last subscriber left: forget the condition and clear its real-time search on the server.</summary>
    private void ClearIfUnused(Followed followed)
    {
        if (followed.Subscribers.Count > 0) return;
        _followed.Remove(followed.Seq);
        _log.Info("Condition {Seq} has no subscriber left{Clear}", followed.Seq, followed.Requested ? "; CNSRCLR" : "");
        if (followed.Requested && _connection is not null && followed.Raw is { } raw)
            _connection.Tell(new ConditionCommand(new ConditionRequest.Clear(raw)));
    }

    /// <summary>A followed condition ends: its subscribers are told why and its ticks released.</summary>
    private void RejectFollowed(Followed followed, string reason, bool clear = true)
    {
        _log.Warning("Condition {Seq} rejected: {Reason}", followed.Seq, reason);
        _followed.Remove(followed.Seq);
        foreach (var (subscriber, state) in followed.Subscribers)
        {
            Release(followed, subscriber, followed.Members.Codes, state.TickTypes);
            if (!IsSubscribedElsewhere(subscriber)) Context.Unwatch(subscriber);
            Tell(subscriber, new ConditionRejected(followed.Seq, reason));
        }
        if (clear && followed.Requested && _connection is not null && followed.Raw is { } raw)
            _connection.Tell(new ConditionCommand(new ConditionRequest.Clear(raw)));
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

    private sealed class Followed(int seq)
    {
        public int Seq { get; } = seq;
        public string Holder { get; } = "condition:" + seq.ToString(CultureInfo.InvariantCulture);
        public string Name { get; set; } = "";
        public string? Raw { get; set; }           // the seq as the server listed it (sent back as is)
        public bool Requested { get; set; }        // CNSRREQ 1 sent on the current connection
        public bool Answered { get; set; }         // its member list came on the current connection
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

    private sealed class SubscriberState
    {
        public HashSet<string> TickTypes { get; } = new(StringComparer.Ordinal);
        public bool Snapshotted { get; set; }
    }
}
