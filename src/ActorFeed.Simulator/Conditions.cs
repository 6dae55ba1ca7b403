using System.Globalization;
using ActorFeed.Simulator.Sessions;

namespace ActorFeed.Simulator;

/// <summary>One condition search (조건검색식) the simulated server knows, as given in <see cref="SimulatorOptions.Conditions"/>.</summary>
/// <param name="Seq">Its seq, as CNSRLST lists it and CNSRREQ / CNSRCLR name it ("0", "1", ...).</param>
/// <param name="Name">Its name, as CNSRLST lists it.</param>
/// <param name="Members">Its members when the simulator starts: 6-digit codes without prefix (on the wire they carry the prefix A).</param>
public sealed record SimCondition(string Seq, string Name, IReadOnlyList<string> Members);

/// <summary>One change of a condition's membership, as the server applied it (and pushed it as REAL type 02 to the sessions with the condition active).</summary>
/// <param name="Number">Its number among every change of every condition, from 1.</param>
/// <param name="Seq">The condition.</param>
/// <param name="Code">The code, without prefix ("005930").</param>
/// <param name="Entered">True when the code entered the condition (FID 843 "I"), false when it left ("D").</param>
/// <param name="At">When it was applied.</param>
public sealed record ConditionChange(int Number, string Seq, string Code, bool Entered, DateTimeOffset At);

/// <summary>One CNSRREQ or CNSRCLR frame of a logged-in client and how the server answered it.</summary>
/// <param name="Trnm">"CNSRREQ" or "CNSRCLR".</param>
/// <param name="Seq">Its seq (empty when it had none).</param>
/// <param name="SearchType">Its search_type for CNSRREQ ("0" one-shot, "1" real-time; "0" when absent), empty for CNSRCLR.</param>
/// <param name="AfterList">True when a CNSRLST came before it on this connection (the list-first rule).</param>
/// <param name="NextKey">The next_key of a continued search_type 0 request (cont_yn "Y"), else null.</param>
/// <param name="ReturnCode">The reply's return_code, or null when it got no reply (a CNSRREQ before any CNSRLST).</param>
/// <param name="Message">The reply's return_msg (or why it got none).</param>
/// <param name="Members">How many members the reply carried.</param>
public sealed record ConditionRequest(string Trnm, string Seq, string SearchType, bool AfterList, string? NextKey, int? ReturnCode, string Message, int Members);

/// <summary>
/// The server's conditions: their membership (the server's truth, shared by every session, kept in the
/// <see cref="SimulatorRecord"/>) and which session has which condition active in real time. Every change of membership,
/// every real-time request and every clear happens under one lock, and the frames they cause are queued under it, so a
/// session's CNSRREQ reply and the REAL type 02 pushes after it are in the order the server applied them: the snapshot
/// plus the pushes after it is always the server's membership.
/// </summary>
internal sealed class ConditionBook
{
    private readonly object _gate = new();
    private readonly KiwoomSimulator _sim;
    private readonly Dictionary<SimSession, HashSet<string>> _active = [];
    private readonly Random _random;

    public ConditionBook(KiwoomSimulator sim)
    {
        _sim = sim;
        _random = new Random(sim.Options.Seed);
        Conditions = [.. sim.Options.Conditions];
        Universe = [.. sim.Options.ConditionUniverse];
        sim.Record.Change(r =>
        {
            foreach (var c in Conditions) r.InitConditionMembers(c.Seq, c.Members);
        });
    }

    /// <summary>Throws <see cref="ArgumentException"/> when the options' conditions cannot be served (a seq twice).</summary>
    public static void Validate(SimulatorOptions options)
    {
        var duplicate = options.Conditions.GroupBy(c => c.Seq, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"SimulatorOptions.Conditions: seq '{duplicate.Key}' appears more than once", nameof(options));
    }

    /// <summary>The conditions, in the order CNSRLST lists them (fixed at start).</summary>
    public IReadOnlyList<SimCondition> Conditions { get; }

    /// <summary>The codes automatic and counted changes let enter (fixed at start).</summary>
    public IReadOnlyList<string> Universe { get; }

    public bool Exists(string seq) => Conditions.Any(c => c.Seq == seq);

    public string? NameOf(string code) => DefaultNames.GetValueOrDefault(code);

    /// <summary>
    /// Runs <paramref name="action"/> with the condition's current members (sorted) under the lock, so that what it
    /// sends comes before any push of a later change.
    /// </summary>
    public void WithMembers(string seq, Action<IReadOnlyList<string>> action)
    {
        lock (_gate) action(_sim.Record.ConditionMembers(seq) ?? []);
    }

    /// <summary>
    /// The session's real-time CNSRREQ: under the lock, check the cap, activate, and let <paramref name="reply"/> queue the
    /// snapshot (or the refusal) before any later push. Returns false when the cap refused it.
    /// </summary>
    public bool Activate(SimSession session, string seq, int cap, Action<IReadOnlyList<string>?> reply)
    {
        lock (_gate)
        {
            if (!_active.TryGetValue(session, out var set)) _active[session] = set = new HashSet<string>(StringComparer.Ordinal);
            if (!set.Contains(seq) && set.Count >= cap)
            {
                reply(null);
                return false;
            }
            set.Add(seq);
            _sim.RecordChange(() => session.Record.ActiveConditions.Add(seq));
            reply(_sim.Record.ConditionMembers(seq) ?? []);
            return true;
        }
    }

    /// <summary>The session's CNSRCLR: no more pushes of <paramref name="seq"/> to it.</summary>
    public void Deactivate(SimSession session, string seq, Action reply)
    {
        lock (_gate)
        {
            if (_active.TryGetValue(session, out var set)) set.Remove(seq);
            _sim.RecordChange(() => session.Record.ActiveConditions.Remove(seq));
            reply();
        }
    }

    /// <summary>The session ended: nothing of it carries over.</summary>
    public void Drop(SimSession session)
    {
        lock (_gate)
        {
            _active.Remove(session);
            _sim.RecordChange(() => session.Record.ActiveConditions.Clear());
        }
    }

    /// <summary>
    /// Applies these changes to <paramref name="seq"/> now (codes entering that are members already, or leaving that are
    /// not, are skipped), records them and pushes them to the sessions that have the condition active. Returns what changed.
    /// </summary>
    public IReadOnlyList<ConditionChange> Apply(string seq, IEnumerable<string> enter, IEnumerable<string> leave)
    {
        if (!Exists(seq)) throw new ArgumentException($"no condition with seq '{seq}'", nameof(seq));
        var (entering, leaving) = (enter.ToList(), leave.ToList());
        if (entering.Concat(leaving).FirstOrDefault(c => !ValidCode(c)) is { } bad)
            throw new ArgumentException($"'{bad}' is not a 6-character code without prefix", entering.Contains(bad) ? nameof(enter) : nameof(leave));
        lock (_gate)
        {
            var changes = new List<ConditionChange>();
            var now = DateTimeOffset.UtcNow;
            _sim.Record.Change(r =>
            {
                foreach (var code in leaving) if (r.ApplyConditionChange(seq, code, false, now) is { } c) changes.Add(c);
                foreach (var code in entering) if (r.ApplyConditionChange(seq, code, true, now) is { } c) changes.Add(c);
            });
            foreach (var (session, set) in _active)
                if (set.Contains(seq))
                    foreach (var c in changes) session.PushConditionChange(c);
            return changes;
        }
    }

    /// <summary>
    /// Deterministic counted changes: the first <paramref name="leave"/> members (ordinal order) leave, and the first
    /// <paramref name="enter"/> codes of <see cref="Universe"/> that were not members enter.
    /// </summary>
    public IReadOnlyList<ConditionChange> Apply(string seq, int enter, int leave)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(enter);
        ArgumentOutOfRangeException.ThrowIfNegative(leave);
        if (!Exists(seq)) throw new ArgumentException($"no condition with seq '{seq}'", nameof(seq));
        lock (_gate)
        {
            var members = _sim.Record.ConditionMembers(seq) ?? [];
            var leaving = members.Take(leave).ToList();
            var entering = Universe.Where(c => !members.Contains(c, StringComparer.Ordinal)).Take(enter).ToList();
            return Apply(seq, entering, leaving);
        }
    }

    /// <summary>One random change (an enter or a leave) to every condition: the automatic churn.</summary>
    public void Churn()
    {
        lock (_gate)
        {
            foreach (var c in Conditions)
            {
                var members = _sim.Record.ConditionMembers(c.Seq) ?? [];
                var outside = Universe.Where(u => !members.Contains(u, StringComparer.Ordinal)).ToList();
                if (members.Count == 0 && outside.Count == 0) continue;
                // keep the size near the start: below it entering is likelier, above it leaving is
                var enterChance = members.Count == 0 ? 1.0 : outside.Count == 0 ? 0.0 : members.Count < c.Members.Count ? 0.7 : members.Count > c.Members.Count ? 0.3 : 0.5;
                if (_random.NextDouble() < enterChance) Apply(c.Seq, [outside[_random.Next(outside.Count)]], []);
                else Apply(c.Seq, [], [members[_random.Next(members.Count)]]);
            }
        }
    }

    /// <summary>Runs the automatic churn at <see cref="SimulatorOptions.ConditionChangesPerMinute"/> until <paramref name="stopping"/>.</summary>
    public async Task ChurnLoop(CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var rate = _sim.Options.ConditionChangesPerMinute;
                if (rate <= 0 || Conditions.Count == 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(false);
                    continue;
                }
                await Task.Delay(TimeSpan.FromMinutes(1 / rate), stopping).ConfigureAwait(false);
                if (_sim.Options.ConditionChangesPerMinute > 0 && !_sim.Faults.MarketClosed) Churn();
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>A code as members hold it: 6 characters, ASCII digits or upper-case letters (KRX codes; the wire adds the prefix).</summary>
    private static bool ValidCode(string code) => code is { Length: 6 } && code.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c));

    /// <summary>KST time HHmmss of <paramref name="at"/>, as FID 20.</summary>
    public static string KstTime(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(9)).ToString("HHmmss", CultureInfo.InvariantCulture);

    /// <summary>The default condition universe: KRX codes with their names.</summary>
    internal static readonly IReadOnlyDictionary<string, string> DefaultNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["005930"] = "삼성전자", ["000660"] = "SK하이닉스", ["035420"] = "NAVER", ["035720"] = "카카오",
        ["005380"] = "현대차", ["000270"] = "기아", ["051910"] = "LG화학", ["006400"] = "삼성SDI",
        ["068270"] = "셀트리온", ["207940"] = "삼성바이오로직스", ["005490"] = "POSCO홀딩스", ["105560"] = "KB금융",
        ["055550"] = "신한지주", ["012330"] = "현대모비스", ["028260"] = "삼성물산", ["066570"] = "LG전자",
        ["003550"] = "LG", ["096770"] = "SK이노베이션", ["017670"] = "SK텔레콤", ["030200"] = "KT",
    };
}
