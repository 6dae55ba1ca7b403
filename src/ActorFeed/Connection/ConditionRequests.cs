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
/// the conditions actor decides whether to ask again.</item>
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
    private bool _listAsked;
    private Pending? _inFlight;

    /// <summary>The request sent and not yet answered, if any.</summary>
    public ConditionRequest? InFlight => _inFlight?.Request;

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
        _inFlight = _waiting.First.Value;
        _waiting.RemoveFirst();
        return _inFlight.Request switch
        {
            ConditionRequest.List => KiwoomEncoder.ConditionList(),
            ConditionRequest.Search s => KiwoomEncoder.ConditionSearch(s.ConditionSeq, s.Realtime, _inFlight.NextKey),
            ConditionRequest.Clear c => KiwoomEncoder.ConditionClear(c.ConditionSeq),
            _ => throw new InvalidOperationException($"unknown condition request {_inFlight.Request}"),
        };
    }

    /// <summary>Takes a condition reply and says what it means for the request in flight.</summary>
    public ConditionOutcome Complete(KiwoomFrame reply)
    {
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

    /// <summary>The request in flight got no reply in time: it is dropped (a late reply is then unexpected, or taken for
    /// the same request asked again) and returned; null when none was in flight.</summary>
    public ConditionRequest? Abandon()
    {
        var request = _inFlight?.Request;
        _inFlight = null;
        return request;
    }

    /// <summary>Two condition seqs are the same condition: equal numbers ("01" and "1"), else equal trimmed text.</summary>
    public static bool SameSeq(string? a, string? b) =>
        SeqNumber(a) is { } x && SeqNumber(b) is { } y ? x == y : string.Equals(a?.Trim(), b?.Trim(), StringComparison.Ordinal);

    /// <summary>The number a condition seq stands for ("01" -> 1), or null when it is none.</summary>
    public static int? SeqNumber(string? raw) =>
        int.TryParse(raw?.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seq) ? seq : null;

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

    /// <summary>CNSRLST.</summary>
    public sealed record List : ConditionRequest
    {
        public static readonly List Instance = new();
        public override string ToString() => "CNSRLST";
    }

    /// <summary>CNSRREQ: search_type 1 (<paramref name="Realtime"/>) or 0 (one-shot, every page).</summary>
    public sealed record Search(string ConditionSeq, bool Realtime) : ConditionRequest
    {
        public override string? Seq => ConditionSeq;
        public override string ToString() => $"CNSRREQ of condition {ConditionSeq} (search_type {(Realtime ? 1 : 0)})";
    }

    /// <summary>CNSRCLR.</summary>
    public sealed record Clear(string ConditionSeq) : ConditionRequest
    {
        public override string? Seq => ConditionSeq;
        public override string ToString() => $"CNSRCLR of condition {ConditionSeq}";
    }
}

/// <summary>What a condition reply means; the outcomes the conditions actor hears are told to it as they are.</summary>
internal abstract record ConditionOutcome
{
    /// <summary>No such request is in flight (a stray or late reply).</summary>
    public sealed record Unexpected : ConditionOutcome;

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
