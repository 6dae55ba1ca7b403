using ActorFeed.Kiwoom;

namespace ActorFeed.Connection;

/// <summary>
/// The condition-search requests of one connection (CNSRLST, CNSRREQ, CNSRCLR), as a plain class like the
/// <see cref="RegistrationQueue"/>: the ConnectionActor sends what <see cref="Next"/> returns, hands every condition
/// reply to <see cref="Complete"/> and acts on the outcome.
/// <list type="bullet">
/// <item>CNSRLST goes first on the connection: any other request queued before a list was asked puts one in front
/// (Kiwoom's own example: CNSRREQ is not answered reliably otherwise).</item>
/// <item>One request in flight at a time (the replies carry no id), apart from REG / REMOVE, whose replies have their
/// own trnm.</item>
/// <item>A one-shot search (search_type 0) is followed page by page while the reply says <c>cont_yn</c> "Y" with a
/// <c>next_key</c>; its outcome holds every page's codes. The protocol notes page search_type 0 only: a real-time
/// reply (search_type 1) saying <c>cont_yn</c> "Y" is taken as it is, its outcome marked <c>Truncated</c> for the
/// conditions actor to warn about.</item>
/// <item>Seqs are compared by number ("01" is "1"), as the conditions actor does for FID 841 of the pushes.</item>
/// <item>A request not answered within the request timeout is dropped (<see cref="Abandon"/>); the link lives on, and
/// the conditions actor decides whether to ask again. The replies carry no id, so a dropped request is remembered (its
/// trnm, seq and page, in order) for <see cref="LateReplyWindow"/>: the next reply of the same trnm and seq is its late
/// reply and is discarded (<see cref="ConditionOutcome.LateReply"/>), never taken for another request; and no request of
/// the same trnm and seq goes out while a dropped one may still be answered (it waits, with whatever is behind it about
/// the same seq, until the late reply was discarded or the window ended: <see cref="HeldUntil"/>).</item>
/// <item>Errors are classified once (<see cref="KiwoomError"/>): a rate limit puts the same request (page) back
/// first, for the actor to resend after a pause; a token error and a credentials / mode / device error are the link's
/// (<see cref="ConditionOutcome.TokenRejected"/>, <see cref="ConditionOutcome.LinkFailure"/>); any other error refuses
/// that request only (<see cref="ConditionOutcome.Refused"/>).</item>
/// </list>
/// </summary>
internal sealed class ConditionRequests
{
    /// <summary>A one-shot search stops after this many pages (a server that always says "more").</summary>
    internal const int MaxPages = 1000;

    private readonly LinkedList<Pending> _waiting = new();
    private readonly List<Abandoned> _abandoned = [];          // dropped requests whose late reply may still come, oldest first
    private readonly Func<DateTimeOffset> _now;
    private bool _listAsked;
    private Pending? _inFlight;

    /// <summary>Condition requests on <paramref name="now"/>'s clock; a dropped request's late reply is awaited (and
    /// discarded) for <paramref name="lateReplyWindow"/> after it was dropped (the ConnectionActor: twice the request timeout).</summary>
    public ConditionRequests(Func<DateTimeOffset>? now = null, TimeSpan? lateReplyWindow = null)
    {
        _now = now ?? (() => DateTimeOffset.UtcNow);
        LateReplyWindow = lateReplyWindow ?? TimeSpan.FromSeconds(20);
    }

    /// <summary>How long after <see cref="Abandon"/> a late reply is still expected.</summary>
    public TimeSpan LateReplyWindow { get; }

    /// <summary>When a dropped request's late-reply window ends while a waiting request is held for it: the time to call
    /// <see cref="Next"/> again; null when nothing is held.</summary>
    public DateTimeOffset? HeldUntil
    {
        get
        {
            Expire();
            if (_inFlight is not null || _waiting.First is null || _abandoned.Count == 0 || Pick() is not null) return null;
            return _abandoned.Min(a => a.Until);
        }
    }

    /// <summary>The request sent and not yet answered, if any.</summary>
    public ConditionRequest? InFlight => _inFlight?.Request;

    /// <summary>The first request waiting, if any.</summary>
    public ConditionRequest? FirstWaiting => _waiting.First?.Value.Request;

    /// <summary>True when nothing waits and nothing is in flight.</summary>

    public bool IsDrained => _inFlight is null && _waiting.First is null;

    /// <summary>Queues <paramref name="request"/>, behind a CNSRLST when none was asked on this connection yet.</summary>
    public void Enqueue(ConditionRequest request)
    {
        if (!_listAsked)
        {
            _listAsked = true;
            if (request is not ConditionRequest.List) _waiting.AddLast(new Pending(ConditionRequest.List.Instance));
        }
        _waiting.AddLast(new Pending(request));
    }

    /// <summary>The frame to send now, or null when a request is in flight or nothing waits.</summary>
    public byte[]? Next()
    {
        if (_inFlight is not null || _waiting.First is null) return null;
        Expire();
        if (Pick() is not { } node) return null;                     // held for a late reply
        _inFlight = node.Value;
        _waiting.Remove(node);
        return _inFlight.Request switch
        {
            ConditionRequest.List => KiwoomEncoder.ConditionList(),
            ConditionRequest.Search s => KiwoomEncoder.ConditionSearch(s.ConditionSeq, s.Realtime, _inFlight.NextKey),
            ConditionRequest.Clear c => KiwoomEncoder.ConditionClear(c.ConditionSeq),
            _ => throw new InvalidOperationException($"unknown condition request {_inFlight.Request}"),
        };
    }

    /// <summary>The first waiting request free to go: none of the same trnm and seq may still be answered late, and none
    /// about the same seq waits before it (a CNSRCLR must not overtake its CNSRREQ); a CNSRLST held holds everything.</summary>
    private LinkedListNode<Pending>? Pick()
    {
        var heldSeqs = new List<string?>();
        for (var node = _waiting.First; node is not null; node = node.Next)
        {
            var request = node.Value.Request;
            var blocked = _abandoned.Any(a => a.Trnm == request.Trnm && SameKey(a.Seq, request.Seq))
                          || heldSeqs.Any(seq => SameKey(seq, request.Seq));
            if (!blocked) return node;
            if (request is ConditionRequest.List) return null;
            heldSeqs.Add(request.Seq);
        }
        return null;
    }

    private static bool SameKey(string? a, string? b) => a is null || b is null ? a is null && b is null : SameSeq(a, b);

    private void Expire() => _abandoned.RemoveAll(a => a.Until <= _now());

    /// <summary>Takes a condition reply and says what it means for the request in flight. The late reply of a dropped
    /// request (the oldest dropped one of the same trnm and seq; one without seq: of the same trnm) is
    /// <see cref="ConditionOutcome.LateReply"/>, whatever it says.</summary>
    public ConditionOutcome Complete(KiwoomFrame reply)
    {
        Expire();
        var (trnm, replySeq) = reply switch
        {
            ConditionListFrame => ("CNSRLST", null),
            ConditionSearchFrame s => ("CNSRREQ", s.Seq),
            ConditionClearFrame c => ("CNSRCLR", c.Seq),
            _ => ("", (string?)null),
        };
        var late = _abandoned.FirstOrDefault(a => a.Trnm == trnm && (replySeq is null || a.Seq is null || SameSeq(a.Seq, replySeq)));
        if (late is not null)
        {
            _abandoned.Remove(late);
            return new ConditionOutcome.LateReply(late.Request, late.NextKey);
        }
        var pending = _inFlight;
        var (error, seq) = reply switch
        {
            ConditionListFrame l when pending?.Request is ConditionRequest.List => (l.Error, null),
            ConditionSearchFrame s when pending?.Request is ConditionRequest.Search => (s.Error, s.Seq),
            ConditionClearFrame c when pending?.Request is ConditionRequest.Clear => (c.Error, c.Seq),
            _ => ((KiwoomError?)null, (string?)"-"),
        };
        if (pending is null || seq == "-" || (seq is not null && pending.Request.Seq is { } own && !SameSeq(seq, own)))
            return new ConditionOutcome.Unexpected();
        _inFlight = null;
        var request = pending.Request;
        if (error is not null)
        {
            switch (error.Class)
            {
                case KiwoomErrorClass.RateLimit:
                    _waiting.AddFirst(pending);                // the same request (page) again, after the actor's pause
                    return new ConditionOutcome.RateLimited(request, error);
                case KiwoomErrorClass.Token:
                    return new ConditionOutcome.TokenRejected(request, error);
                case KiwoomErrorClass.Credentials or KiwoomErrorClass.Mode or KiwoomErrorClass.Device:
                    return new ConditionOutcome.LinkFailure(request, error);
                default:
                    return new ConditionOutcome.Refused(request, error);
            }
        }
        switch (reply)
        {
            case ConditionListFrame list:
                return new ConditionOutcome.Listed(list.Conditions);
            case ConditionSearchFrame page when request is ConditionRequest.Search search:
                pending.Codes.AddRange(page.Codes);
                pending.Pages++;
                if (!search.Realtime && page.More && page.NextKey is { } key && key != pending.NextKey && pending.Pages < MaxPages)
                {
                    _waiting.AddFirst(pending with { NextKey = key });   // the next page, before anything else
                    return new ConditionOutcome.Paging(search, pending.Pages);
                }
                return new ConditionOutcome.Found(search, pending.Codes.Distinct(StringComparer.Ordinal).ToList(), Truncated: search.Realtime && page.More);
            default:
                return new ConditionOutcome.Cleared((ConditionRequest.Clear)request);
        }
    }

    /// <summary>The request in flight got no reply in time: it is dropped and returned (null when none was in flight), and
    /// remembered for <see cref="LateReplyWindow"/>: its late reply is discarded, and a request of the same trnm and seq
    /// waits until then.</summary>
    public ConditionRequest? Abandon()
    {
        if (_inFlight is not { } pending) return null;
        _inFlight = null;
        Expire();
        _abandoned.Add(new Abandoned(pending.Request, pending.Request.Trnm, pending.Request.Seq, pending.NextKey, _now() + LateReplyWindow));
        return pending.Request;
    }

    /// <summary>Two condition seqs are the same condition: equal numbers ("01" and "1"), else equal trimmed text.</summary>
    public static bool SameSeq(string? a, string? b) =>
        SeqNumber(a) is { } x && SeqNumber(b) is { } y ? x == y : string.Equals(a?.Trim(), b?.Trim(), StringComparison.Ordinal);

    /// <summary>The number a condition seq stands for ("01" -> 1), or null when it is none.</summary>
    public static int? SeqNumber(string? raw) =>
        int.TryParse(raw?.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq) ? seq : null;

    /// <summary>A dropped request whose late reply may come until <paramref name="Until"/>.</summary>
    private sealed record Abandoned(ConditionRequest Request, string Trnm, string? Seq, string? NextKey, DateTimeOffset Until);

    /// <summary>A request with the state of its pages (a continuation shares the codes list of its first page).</summary>
    private sealed record Pending(ConditionRequest Request, string? NextKey = null)
    {
        public List<string> Codes { get; init; } = [];
        public int Pages { get; set; }
    }
}

/// <summary>A condition-search request, as the conditions actor asks it of the connection.</summary>
internal abstract record ConditionRequest
{
    /// <summary>The condition's seq as the server listed it, for the requests about one condition.</summary>
    public virtual string? Seq => null;

    /// <summary>The trnm of the request and of its reply.</summary>
    public abstract string Trnm { get; }

    /// <summary>CNSRLST.</summary>
    public sealed record List : ConditionRequest
    {
        public static readonly List Instance = new();
        public override string Trnm => "CNSRLST";
        public override string ToString() => "CNSRLST";
    }

    /// <summary>CNSRREQ: search_type 1 (<paramref name="Realtime"/>) or 0 (one-shot, every page). <paramref name="Generation"/>:
    /// which incarnation of a followed condition asked (its outcomes are ignored once the condition was followed anew).</summary>
    public sealed record Search(string ConditionSeq, bool Realtime, long Generation = 0) : ConditionRequest
    {
        public override string? Seq => ConditionSeq;
        public override string Trnm => "CNSRREQ";
        public override string ToString() => $"CNSRREQ of condition {ConditionSeq} (search_type {(Realtime ? 1 : 0)})";
    }

    /// <summary>CNSRCLR of the incarnation <paramref name="Generation"/> of a followed condition.</summary>
    public sealed record Clear(string ConditionSeq, long Generation = 0) : ConditionRequest
    {
        public override string? Seq => ConditionSeq;
        public override string Trnm => "CNSRCLR";
        public override string ToString() => $"CNSRCLR of condition {ConditionSeq}";
    }
}

/// <summary>What a condition reply means; the outcomes the conditions actor hears are told to it as they are.</summary>
internal abstract record ConditionOutcome
{
    /// <summary>No such request is in flight (a stray reply).</summary>
    public sealed record Unexpected : ConditionOutcome;

    /// <summary>The late reply of a request dropped without reply (<see cref="ConditionRequests.Abandon"/>), discarded:
    /// <paramref name="NextKey"/> is the page it asked (null: the first).</summary>
    public sealed record LateReply(ConditionRequest Request, string? NextKey) : ConditionOutcome;

    /// <summary>The request went out on the socket (the pushes of a condition that come after it are its registration's).</summary>
    public sealed record Sent(ConditionRequest Request) : ConditionOutcome;

    /// <summary>CNSRLST answered.</summary>
    public sealed record Listed(IReadOnlyList<ConditionEntry> Conditions) : ConditionOutcome;

    /// <summary>A page of a one-shot search came and the next one is queued first.</summary>
    public sealed record Paging(ConditionRequest.Search Request, int Pages) : ConditionOutcome;

    /// <summary>CNSRREQ answered: every member (all pages of a one-shot search). <paramref name="Truncated"/>: a real-time
    /// reply said more pages follow (<c>cont_yn</c> "Y"), which the protocol notes do not page: only this page is known.</summary>
    public sealed record Found(ConditionRequest.Search Request, IReadOnlyList<string> Codes, bool Truncated = false) : ConditionOutcome;

    /// <summary>CNSRCLR answered.</summary>
    public sealed record Cleared(ConditionRequest.Clear Request) : ConditionOutcome;

    /// <summary>The server refused this request for a reason of its own (not the link's, not a rate limit).</summary>
    public sealed record Refused(ConditionRequest Request, KiwoomError Error) : ConditionOutcome;

    /// <summary>No reply within the request timeout: the request was dropped (<see cref="ConditionRequests.Abandon"/>); the
    /// link lives on.</summary>
    public sealed record TimedOut(ConditionRequest Request) : ConditionOutcome;

    /// <summary>Refused with a rate limit: queued again first, to be sent after a pause.</summary>
    public sealed record RateLimited(ConditionRequest Request, KiwoomError Error) : ConditionOutcome;

    /// <summary>Refused with a token error: the link fails (new token, reconnect, replay).</summary>
    public sealed record TokenRejected(ConditionRequest Request, KiwoomError Error) : ConditionOutcome;

    /// <summary>Refused with a credentials / mode / device error: the link fails.</summary>
    public sealed record LinkFailure(ConditionRequest Request, KiwoomError Error) : ConditionOutcome;
}
