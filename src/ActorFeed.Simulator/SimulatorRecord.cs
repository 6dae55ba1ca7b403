namespace ActorFeed.Simulator;

/// <summary>One WebSocket session as the server saw it.</summary>
public sealed class SessionRecord
{
    internal SessionRecord(int id, DateTimeOffset openedAt) { Id = id; OpenedAt = openedAt; }

    /// <summary>Sequence number of the session, from 1.</summary>
    public int Id { get; }
    /// <summary>When the WebSocket was accepted.</summary>
    public DateTimeOffset OpenedAt { get; }
    /// <summary>The app key of the token it logged in with (null before LOGIN).</summary>
    public string? AppKey { get; internal set; }
    /// <summary>When LOGIN succeeded; null when it never did.</summary>
    public DateTimeOffset? LoggedInAt { get; internal set; }
    /// <summary>When the session ended; null while it is open.</summary>
    public DateTimeOffset? ClosedAt { get; internal set; }
    /// <summary><see cref="SimClock"/> time of the close: every frame of this session was stamped before it.</summary>
    public long? ClosedAtMicros { get; internal set; }
    /// <summary>True when the server sent it SYSTEM R10001 and closed it because another LOGIN with the same app key
    /// came (or <see cref="KiwoomSimulator.SimulateDuplicateLogin"/>).</summary>
    public bool KickedByDuplicateLogin { get; internal set; }
    /// <summary>Why it ended, e.g. "client closed 1000 ..." or "server dropped ...".</summary>
    public string? CloseReason { get; internal set; }
    /// <summary>Code/type pairs registered now ("005930/0B").</summary>
    public HashSet<string> Registered { get; } = [];
    /// <summary>The grp_no each pair of <see cref="Registered"/> was last REGistered with ("005930/0B" -> "1"; empty when the REG had none).</summary>
    public Dictionary<string, string> RegisteredGroups { get; } = new(StringComparer.Ordinal);
    /// <summary>Every REG and REMOVE frame of the logged-in client, in order, with its grp_no, including rejected ones.</summary>
    public List<RegistrationFrame> RegistrationFrames { get; } = [];
    /// <summary>Every REG item in order, including rejected ones.</summary>
    public List<string> RegRequests { get; } = [];
    /// <summary>Items that were REGistered while already registered in this session.</summary>
    public int DuplicateRegistrations { get; internal set; }
    /// <summary>Every REMOVE item in order ("005930/0B").</summary>
    public List<string> RemoveRequests { get; } = [];
    /// <summary>REG / REMOVE frames that got no reply (<see cref="SimulatorFaults.WithholdRegReplies"/>).</summary>
    public int RepliesWithheld { get; internal set; }
    /// <summary>PINGs the client echoed.</summary>
    public int PingsEchoed { get; internal set; }
    /// <summary>REAL entries sent.</summary>
    public long TicksSent { get; internal set; }
    /// <summary>Ticks not sent because the session was more than 32 frames behind (the exchange conflates them).</summary>
    public long TicksConflated { get; internal set; }
    /// <summary>
    /// The 0B trades written to this session, per code, one <see cref="TradeRun"/> per registration of the pair (a REG
    /// after a REMOVE or after <see cref="KiwoomSimulator.ForgetRegistrations"/> starts a new run), in order.
    /// </summary>
    public Dictionary<string, List<TradeRun>> TradeRuns { get; } = new(StringComparer.Ordinal);
    /// <summary>Times the server forgot this session's registrations (<see cref="KiwoomSimulator.ForgetRegistrations"/>).</summary>
    public int RegistrationsForgotten { get; internal set; }
    /// <summary>CNSRLST frames of the logged-in client (the list-first rule: a CNSRREQ before the first one is not answered).</summary>
    public int ConditionListRequests { get; internal set; }
    /// <summary>Every CNSRREQ and CNSRCLR frame of the logged-in client, in order, with the answer it got.</summary>
    public List<ConditionRequest> ConditionRequests { get; } = [];
    /// <summary>The conditions active in real time now (CNSRREQ search_type 1, not cleared); empty once the session ended.</summary>
    public HashSet<string> ActiveConditions { get; } = new(StringComparer.Ordinal);
    /// <summary>REAL type 02 entries (condition changes) queued to this session (none while it is silenced).</summary>
    public int ConditionPushes { get; internal set; }

    internal void Written(string code, int run, long sequence, long cumulativeVolume, long volume)
    {
        if (!TradeRuns.TryGetValue(code, out var runs)) TradeRuns[code] = runs = [];
        if (runs.Count == 0 || runs[^1].Run != run) runs.Add(new TradeRun(code, run, sequence, cumulativeVolume, volume));
        else runs[^1].Add(sequence, cumulativeVolume);
    }
}

/// <summary>
/// The 0B trades of one code written to one session during one registration of the pair: the first and the last, by
/// their sequence on the code's tape (every session sees the same tape: trade N has the same FID 13 everywhere).
/// </summary>
public sealed class TradeRun
{
    internal TradeRun(string code, int run, long sequence, long cumulativeVolume, long volume)
    {
        Code = code;
        Run = run;
        FirstSequence = LastSequence = sequence;
        FirstCumulativeVolume = LastCumulativeVolume = cumulativeVolume;
        FirstVolume = volume;
        Count = 1;
    }

    internal int Run { get; }
    /// <summary>The code.</summary>
    public string Code { get; }
    /// <summary>Sequence on the tape of the first trade written.</summary>
    public long FirstSequence { get; }
    /// <summary>FID 13 of the first trade written.</summary>
    public long FirstCumulativeVolume { get; }
    /// <summary>FID 15 of the first trade written (signed: negative for a sell).</summary>
    public long FirstVolume { get; }
    /// <summary>Sequence on the tape of the last trade written.</summary>
    public long LastSequence { get; private set; }
    /// <summary>FID 13 of the last trade written.</summary>
    public long LastCumulativeVolume { get; private set; }
    /// <summary>Trades written; less than LastSequence - FirstSequence + 1 when some were conflated.</summary>
    public long Count { get; private set; }

    internal void Add(long sequence, long cumulativeVolume)
    {
        LastSequence = sequence;
        LastCumulativeVolume = cumulativeVolume;
        Count++;
    }

    /// <summary>
    /// The volume of the trades that happened after the last trade of <paramref name="before"/> and before the first
    /// trade of <paramref name="after"/> (what a client that received both runs missed between them):
    /// FID 13 of after's first - |its FID 15| - FID 13 of before's last.
    /// </summary>
    public static long MissedBetween(TradeRun before, TradeRun after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (before.Code != after.Code) throw new ArgumentException($"runs of different codes ({before.Code}, {after.Code})", nameof(after));
        if (after.FirstSequence <= before.LastSequence) throw new ArgumentException("the run 'after' does not start after the run 'before' ends", nameof(after));
        return after.FirstCumulativeVolume - Math.Abs(after.FirstVolume) - before.LastCumulativeVolume;
    }
}

/// <summary>One REG or REMOVE frame as the server received it.</summary>
/// <param name="Trnm">"REG" or "REMOVE".</param>
/// <param name="Group">Its grp_no (empty when it had none).</param>
/// <param name="Refresh">False when its refresh was "0" (a REG that replaces what was registered), true otherwise.</param>
/// <param name="Items">Its code/type pairs ("005930/0B").</param>
/// <param name="Failure">Why it was rejected, with its Kiwoom fine code when it has one ("1901: ...", "1700: ..."), or null when it was accepted.</param>
/// <param name="ReplyWithheld">True when it got no reply (<see cref="SimulatorFaults.WithholdRegReplies"/>).</param>
public sealed record RegistrationFrame(string Trnm, string Group, bool Refresh, IReadOnlyList<string> Items, string? Failure, bool ReplyWithheld);

/// <summary>
/// What the simulator saw: sessions, logins, registrations, token requests. Thread-safe: read it inside
/// <see cref="Read{T}"/>, or wait for a condition with <see cref="WaitUntilAsync"/> (woken by every change, no polling).
/// </summary>
public sealed class SimulatorRecord
{
    private readonly object _gate = new();
    private readonly List<SessionRecord> _sessions = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _awaited;         // someone waits on _changed

    /// <summary>WebSocket upgrade requests, refused ones included.</summary>
    public int ConnectionAttempts { get; private set; }
    /// <summary>Upgrade requests answered with HTTP 503 (<see cref="KiwoomSimulator.RefuseConnectionsFor"/>).</summary>
    public int RefusedConnections { get; private set; }
    /// <summary>Calls to <c>/oauth2/token</c>, failed ones included.</summary>
    public int TokenRequests { get; private set; }
    /// <summary>New tokens issued (a still-valid token handed back again is not counted).</summary>
    public int TokensIssued { get; private set; }
    /// <summary>Calls to <c>/oauth2/revoke</c>.</summary>
    public int TokenRevokes { get; private set; }
    /// <summary>LOGINs answered with return_code 0.</summary>
    public int LoginsAccepted { get; private set; }
    /// <summary>LOGINs refused (unknown or expired token, or <see cref="SimulatorFaults.RejectNextLogins"/>).</summary>
    public int LoginsRejected { get; private set; }
    /// <summary>When each token request arrived.</summary>
    public List<DateTimeOffset> TokenRequestTimes { get; } = [];
    /// <summary>When each WebSocket upgrade request arrived.</summary>
    public List<DateTimeOffset> ConnectionAttemptTimes { get; } = [];
    /// <summary>Every session in the order it was opened.</summary>
    public IReadOnlyList<SessionRecord> Sessions => _sessions;

    private readonly Dictionary<string, SortedSet<string>> _conditionMembers = new(StringComparer.Ordinal);
    private readonly List<ConditionChange> _conditionChanges = [];

    /// <summary>
    /// The members of condition <paramref name="seq"/> now (the server's truth, shared by every session): 6-digit codes
    /// without prefix, in ordinal order; null for a seq the server does not know.
    /// </summary>
    public IReadOnlyList<string>? ConditionMembers(string seq)
    {
        lock (_gate) return _conditionMembers.TryGetValue(seq, out var m) ? [.. m] : null;
    }

    /// <summary>Every change of every condition's membership, in the order applied (automatic or switched).</summary>
    public IReadOnlyList<ConditionChange> ConditionChanges
    {
        get { lock (_gate) return [.. _conditionChanges]; }
    }

    internal void InitConditionMembers(string seq, IEnumerable<string> members) =>
        _conditionMembers[seq] = new SortedSet<string>(members, StringComparer.Ordinal);

    /// <summary>Applies one change (under the lock, inside <see cref="Change"/>); null when it changes nothing.</summary>
    internal ConditionChange? ApplyConditionChange(string seq, string code, bool enter, DateTimeOffset at)
    {
        var members = _conditionMembers[seq];
        if (!(enter ? members.Add(code) : members.Remove(code))) return null;
        var change = new ConditionChange(_conditionChanges.Count + 1, seq, code, enter, at);
        _conditionChanges.Add(change);
        return change;
    }

    /// <summary>
    /// The live sessions of <paramref name="appKey"/> (LOGIN accepted, up to the close; still open: no end), in the
    /// order they were opened.
    /// </summary>
    public IReadOnlyList<LiveSession> LiveSessions(string appKey)
    {
        lock (_gate)
            return [.. _sessions.Where(s => s.AppKey == appKey && s.LoggedInAt is not null)
                .Select(s => new LiveSession(s.Id, appKey, s.LoggedInAt!.Value, s.ClosedAt, s.CloseReason, s.KickedByDuplicateLogin))];
    }

    /// <summary>
    /// The pairs of live sessions of <paramref name="appKey"/> that were live at the same time (one logged in before the
    /// other was closed). Empty when the key never had two sessions at once, which Kiwoom allows never: the second LOGIN
    /// kicks the first with R10001.
    /// </summary>
    public IReadOnlyList<(LiveSession First, LiveSession Second)> LiveSessionOverlaps(string appKey)
    {
        var live = LiveSessions(appKey);
        var overlaps = new List<(LiveSession, LiveSession)>();
        for (var i = 0; i < live.Count; i++)
            for (var j = i + 1; j < live.Count; j++)
                if (live[i].Overlaps(live[j])) overlaps.Add((live[i], live[j]));
        return overlaps;
    }

    /// <summary>The most sessions of <paramref name="appKey"/> that were live at the same moment (0 when none ever was).</summary>
    public int MaxConcurrentLiveSessions(string appKey)
    {
        var live = LiveSessions(appKey);
        var events = live.Select(s => (At: s.LoggedInAt, Delta: 1))
            .Concat(live.Where(s => s.ClosedAt is not null).Select(s => (At: s.ClosedAt!.Value, Delta: -1)))
            .OrderBy(e => e.At).ThenBy(e => e.Delta);            // a close at the same instant as a login counts first
        int now = 0, max = 0;
        foreach (var e in events) max = Math.Max(max, now += e.Delta);
        return max;
    }

    /// <summary>Sessions that got SYSTEM R10001 (another LOGIN with their app key), every key.</summary>
    public int DuplicateLoginKicks
    {
        get { lock (_gate) return _sessions.Count(s => s.KickedByDuplicateLogin); }
    }

    /// <summary>Reads the record under its lock.</summary>
    public T Read<T>(Func<SimulatorRecord, T> read)
    {
        lock (_gate) return read(this);
    }

    /// <summary>Completes when <paramref name="condition"/> holds (checked under the lock after every change); throws TimeoutException after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<SimulatorRecord, bool> condition, TimeSpan timeout, string? what = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (condition(this)) return;
                changed = _changed.Task;
                _awaited = true;
            }
            try { await changed.WaitAsync(cts.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { throw new TimeoutException($"simulator: not reached within {timeout}: {what ?? "condition"}"); }
        }
    }

    internal void Change(Action<SimulatorRecord> change)
    {
        TaskCompletionSource? done = null;
        lock (_gate)
        {
            change(this);
            if (_awaited)
            {
                // a new completion only when someone waits on the current one: the tick path changes the record often
                done = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _awaited = false;
            }
        }
        done?.TrySetResult();
    }

    internal SessionRecord NewSession(DateTimeOffset now)
    {
        SessionRecord s = null!;
        Change(r =>
        {
            s = new SessionRecord(_sessions.Count + 1, now);
            r._sessions.Add(s);
        });
        return s;
    }

    internal void ConnectionAttempt(DateTimeOffset now, bool refused) => Change(r =>
    {
        r.ConnectionAttempts++;
        r.ConnectionAttemptTimes.Add(now);
        if (refused) r.RefusedConnections++;
    });

    internal void TokenRequest(DateTimeOffset now, bool issued) => Change(r =>
    {
        r.TokenRequests++;
        r.TokenRequestTimes.Add(now);
        if (issued) r.TokensIssued++;
    });

    internal void Revoke() => Change(r => r.TokenRevokes++);

    internal void Login(bool accepted) => Change(r =>
    {
        if (accepted) r.LoginsAccepted++;
        else r.LoginsRejected++;
    });

    /// <summary>
    /// The volume of <paramref name="code"/> traded between the last 0B trade written to session
    /// <paramref name="fromSessionId"/> and the first written to session <paramref name="toSessionId"/> (for a feed that
    /// moved from one to the other: exactly the MissedVolume its gap notice must carry, if the frames written reached it);
    /// null when either session got no trade of the code. Throws <see cref="ArgumentException"/> when the sessions overlapped
    /// (the first trade of the second is not after the last of the first). Within one session (registrations forgotten,
    /// then registered again) use <see cref="TradeRun.MissedBetween"/> on two of its <see cref="SessionRecord.TradeRuns"/>.
    /// A trade counts as written once its frame's send completed: a client that aborts its connection may not have read
    /// the last ones.
    /// </summary>
    public long? MissedVolume(string code, int fromSessionId, int toSessionId)
    {
        lock (_gate)
        {
            var from = _sessions.FirstOrDefault(s => s.Id == fromSessionId)?.TradeRuns.GetValueOrDefault(code);
            var to = _sessions.FirstOrDefault(s => s.Id == toSessionId)?.TradeRuns.GetValueOrDefault(code);
            return from is [.., var last] && to is [var first, ..] ? TradeRun.MissedBetween(last, first) : null;
        }
    }

    /// <summary>The trades of a REAL frame the session has just written (the 0B ones are recorded).</summary>
    internal void TradesWritten(SessionRecord session, RealEntry[] entries)
    {
        var any = false;
        foreach (var e in entries) any |= e.Type == "0B";
        if (!any) return;
        Change(_ =>
        {
            foreach (var e in entries)
                if (e.Type == "0B")
                    session.Written(e.Tape.Code, e.Run, e.Trade.Sequence, e.Trade.CumulativeVolume, e.Trade.Volume);
        });
    }
}

/// <summary>A live session of one app key: LOGIN accepted at <see cref="LoggedInAt"/>, closed at <see cref="ClosedAt"/>
/// (null while open).</summary>
/// <param name="Id">The session's <see cref="SessionRecord.Id"/>.</param>
/// <param name="AppKey">Its app key.</param>
/// <param name="LoggedInAt">When LOGIN was accepted.</param>
/// <param name="ClosedAt">When it ended; null while it is open.</param>
/// <param name="CloseReason">Why it ended.</param>
/// <param name="KickedByDuplicateLogin">It ended with R10001 (another LOGIN with the key).</param>
public sealed record LiveSession(int Id, string AppKey, DateTimeOffset LoggedInAt, DateTimeOffset? ClosedAt, string? CloseReason, bool KickedByDuplicateLogin)
{
    /// <summary>True when both were live at some moment (one logged in before the other closed).</summary>
    /// <param name="other">Another session.</param>
    /// <returns>Whether the two intervals intersect.</returns>
    public bool Overlaps(LiveSession other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return LoggedInAt < (other.ClosedAt ?? DateTimeOffset.MaxValue) && other.LoggedInAt < (ClosedAt ?? DateTimeOffset.MaxValue);
    }
}
