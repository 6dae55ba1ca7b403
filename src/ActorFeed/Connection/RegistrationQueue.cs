using ActorFeed.Kiwoom;

namespace ActorFeed.Connection;

/// <summary>
/// The REG / REMOVE requests of one connection, as a plain class (no mailbox, no timers): the ConnectionActor
/// sends what <see cref="Next"/> returns, hands every reply to <see cref="Complete"/>, and acts on the outcome.
/// <list type="bullet">
/// <item>Items are batched by type, at most <c>max-items-per-request</c> per request.</item>
/// <item>One request is in flight at a time: Kiwoom's reply carries no id, so this is the only way to know
/// which request a reply answers.</item>
/// <item>Subscriptions made one at a time while a request is in flight leave together as one batch.</item>
/// <item>Every error reply is classified once (<see cref="KiwoomError"/>, either envelope). Only an ITEM-class error
/// (1901/1902 unknown symbol or market, 1501-1517 and 1687 input validation) says the batch holds a bad item: such a
/// REG of several items is bisected, each half sent exactly as split (never merged again), until the single rejected
/// item is found. A rate limit (1700) puts the same request back first, exact, to be resent after a pause the actor
/// times. A token error or any other error says nothing about the items: the actor fails the link instead.</item>
/// </list>
/// </summary>
internal sealed class RegistrationQueue(int maxItemsPerRequest, RegistrationSuspects? suspects = null)
{
    private readonly LinkedList<RegistrationRequest> _waiting = new();
    private readonly RegistrationSuspects _ownSuspects = new();

    /// <summary>The request sent and not yet answered, if any.</summary>
    public RegistrationRequest? InFlight { get; private set; }

    /// <summary>True when nothing is waiting and nothing is in flight.</summary>
    public bool IsDrained => InFlight is null && _waiting.First is null;

    /// <summary>True when requests wait behind the one in flight (or for the next <see cref="Next"/>).</summary>
    public bool HasWaiting => _waiting.First is not null;

    /// <summary>Queues <paramref name="items"/> in batches of one type and at most max-items-per-request each.</summary>
    public void Enqueue(RegistrationKind kind, IReadOnlyList<RegistrationItem> items)
    {
        foreach (var batch in KiwoomEncoder.Batches(items, maxItemsPerRequest))
            _waiting.AddLast(new RegistrationRequest(kind, batch));
    }

    /// <summary>
    /// The request to send now, or null when one is in flight or nothing waits. One-item requests waiting behind
    /// leave with it as one batch when they are of the same kind and type (up to max-items-per-request). Requests of
    /// another type may be passed over (their items differ); one of the other kind may not (it could touch the same
    /// item). Halves of a rejected batch are sent exactly as split.
    /// </summary>
    public RegistrationRequest? Next()
    {
        if (InFlight is not null || _waiting.First is null) return null;
        var next = _waiting.First.Value;
        _waiting.RemoveFirst();
        if (!next.Exact)
        {
            List<RegistrationItem>? merged = null;
            var type = next.Items[0].Type;
            for (var node = _waiting.First; node is not null && !node.Value.Exact && node.Value.Kind == next.Kind;)
            {
                var after = node.Next;
                if (node.Value.Items[0].Type == type)
                {
                    if ((merged?.Count ?? next.Items.Count) + node.Value.Items.Count > maxItemsPerRequest) break;
                    merged ??= [.. next.Items];
                    merged.AddRange(node.Value.Items);
                    _waiting.Remove(node);
                }
                node = after;
            }
            if (merged is not null) next = next with { Items = merged };
        }
        InFlight = next;
        return next;
    }

    /// <summary>Forgets the requests of <paramref name="kind"/> waiting to be sent (not the one in flight).</summary>
    public void DropWaiting(RegistrationKind kind)
    {
        for (var node = _waiting.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.Kind == kind) _waiting.Remove(node);
            node = next;
        }
    }

    /// <summary>Takes the reply to the request in flight and says what it means.</summary>
    public RegistrationOutcome Complete(RegistrationReplyFrame reply)
    {
        var request = InFlight;
        if (request is null || reply.Kind != request.Kind) return new RegistrationOutcome.Unexpected();
        InFlight = null;
        var unexplained = suspects ?? _ownSuspects;
        if (reply.Error is not { } error)
        {
            if (request.Kind == RegistrationKind.Register) unexplained.Clear(request.Items);
            return new RegistrationOutcome.Accepted(request);
        }
        if (error.Class == KiwoomErrorClass.RateLimit)
        {
            // says nothing about the items: the same request again, first, neither merged nor split
            _waiting.AddFirst(request with { Exact = true });
            return new RegistrationOutcome.RateLimited(request, error);
        }
        if (request.Kind == RegistrationKind.Remove) return new RegistrationOutcome.RemoveRejected(request, error);
        switch (error.Class)
        {
            case KiwoomErrorClass.Token:
                return new RegistrationOutcome.TokenRejected(request, error);
            case not KiwoomErrorClass.Item when !unexplained.AnyOf(request.Items):
                unexplained.Add(request.Items);
                return new RegistrationOutcome.LinkFailure(request, error);
            case not KiwoomErrorClass.Item:
                break;                                     // refused that way again after a restart: about an item after all
        }
        if (request.Items.Count == 1)
        {
            unexplained.Clear(request.Items);
            return new RegistrationOutcome.ItemRejected(request.Items[0], error);
        }
        // The reply does not say which item was bad: split the batch and try both halves first.
        var half = request.Items.Count / 2;
        _waiting.AddFirst(new RegistrationRequest(request.Kind, request.Items.Skip(half).ToList(), Exact: true));
        _waiting.AddFirst(new RegistrationRequest(request.Kind, request.Items.Take(half).ToList(), Exact: true));
        return new RegistrationOutcome.Bisected(request, error);
    }
}

/// <summary>One REG or REMOVE as sent: items of one type.</summary>
/// <param name="Kind">REG or REMOVE.</param>
/// <param name="Items">The items, all of one type.</param>
/// <param name="Exact">A half of a rejected batch: sent exactly as split, never merged with other requests.</param>
internal sealed record RegistrationRequest(RegistrationKind Kind, IReadOnlyList<RegistrationItem> Items, bool Exact = false)
{
    public override string ToString() => $"{Kind.Trnm()} of {Items.Count} item(s)";
}

/// <summary>What a reply to the request in flight means.</summary>
internal abstract record RegistrationOutcome
{
    /// <summary>No such request is in flight (a late or stray reply): nothing changed.</summary>
    public sealed record Unexpected : RegistrationOutcome;

    /// <summary>The server accepted the request.</summary>
    public sealed record Accepted(RegistrationRequest Request) : RegistrationOutcome;

    /// <summary>The server refused a REMOVE (other than with a rate limit): the items are gone from the desired set anyway.</summary>
    public sealed record RemoveRejected(RegistrationRequest Request, KiwoomError Error) : RegistrationOutcome;

    /// <summary>A REG of several items was refused with an item-class error: its two halves are queued first.</summary>
    public sealed record Bisected(RegistrationRequest Request, KiwoomError Error) : RegistrationOutcome;

    /// <summary>A REG of this single item was refused with an item-class error.</summary>
    public sealed record ItemRejected(RegistrationItem Item, KiwoomError Error) : RegistrationOutcome;

    /// <summary>The REG or REMOVE was refused with a rate limit (1700): the same request is queued first, exact,
    /// for the next <see cref="RegistrationQueue.Next"/> once the actor's pause is over.</summary>
    public sealed record RateLimited(RegistrationRequest Request, KiwoomError Error) : RegistrationOutcome;

    /// <summary>A REG was refused with a token error (8005, ...): the token is bad; nothing is said about the items.</summary>
    public sealed record TokenRejected(RegistrationRequest Request, KiwoomError Error) : RegistrationOutcome;

    /// <summary>A REG was refused with an error that says nothing about its items (service, permanent classes):
    /// the link is to be restarted, which replays it.</summary>
    public sealed record LinkFailure(RegistrationRequest Request, KiwoomError Error) : RegistrationOutcome;
}
