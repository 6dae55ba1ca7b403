namespace ActorFeed.Tests.Connection;

/// <summary>The REG / REMOVE queue alone: batching, one request in flight, merging, bisection.</summary>
public sealed class RegistrationQueueSpec
{
    private static RegistrationItem B(string code) => new(code, "0B");
    private static RegistrationItem D(string code) => new(code, "0D");
    private static RegistrationReplyFrame Ok(RegistrationKind kind = RegistrationKind.Register) => new(kind, 0, "");
    private static RegistrationReplyFrame Refused(RegistrationKind kind = RegistrationKind.Register) => new(kind, 1, "error");
    private static string[] Codes(RegistrationRequest r) => r.Items.Select(i => i.Code).ToArray();

    [Fact]
    public void Queue_must_batch_by_type_and_at_most_max_items_per_request()
    {
        var q = new RegistrationQueue(maxItemsPerRequest: 2);
        q.Enqueue(RegistrationKind.Register, [B("000001"), D("000001"), B("000002"), B("000003")]);
        var first = q.Next()!;
        Assert.Equal(["000001", "000002"], Codes(first));
        Assert.All(first.Items, i => Assert.Equal("0B", i.Type));
        Assert.Null(q.Next());                                            // one request in flight at a time
        Assert.IsType<RegistrationOutcome.Accepted>(q.Complete(Ok()));
        Assert.Equal(["000003"], Codes(q.Next()!));
        q.Complete(Ok());
        var d = q.Next()!;
        Assert.Equal(["000001"], Codes(d));
        Assert.Equal("0D", d.Items[0].Type);
        q.Complete(Ok());
        Assert.Null(q.Next());
        Assert.True(q.IsDrained);
    }

    [Fact]
    public void Queue_must_merge_one_by_one_requests_waiting_behind_the_one_in_flight()
    {
        var q = new RegistrationQueue(maxItemsPerRequest: 3);
        q.Enqueue(RegistrationKind.Register, [B("000001")]);
        Assert.Equal(["000001"], Codes(q.Next()!));
        foreach (var c in new[] { "000002", "000003", "000004", "000005" }) q.Enqueue(RegistrationKind.Register, [B(c)]);
        q.Enqueue(RegistrationKind.Register, [D("000009")]);
        q.Complete(Ok());
        Assert.Equal(["000002", "000003", "000004"], Codes(q.Next()!));   // capped at max-items-per-request
        q.Complete(Ok());
        Assert.Equal(["000005"], Codes(q.Next()!));
        q.Complete(Ok());
        Assert.Equal(["000009"], Codes(q.Next()!));
    }

    [Fact]
    public void Queue_must_not_merge_a_REG_across_a_REMOVE_waiting_between()
    {
        var q = new RegistrationQueue(maxItemsPerRequest: 100);
        q.Enqueue(RegistrationKind.Register, [B("000001")]);
        q.Next();
        q.Enqueue(RegistrationKind.Register, [B("000002")]);
        q.Enqueue(RegistrationKind.Remove, [B("000002")]);
        q.Enqueue(RegistrationKind.Register, [B("000003")]);
        q.Complete(Ok());
        Assert.Equal(["000002"], Codes(q.Next()!));                       // not merged with 000003: the REMOVE is between
        q.Complete(Ok());
        var remove = q.Next()!;
        Assert.Equal(RegistrationKind.Remove, remove.Kind);
        q.Complete(Ok(RegistrationKind.Remove));
        Assert.Equal(["000003"], Codes(q.Next()!));
    }

    [Fact]
    public void Queue_must_bisect_a_refused_batch_until_the_one_bad_item_is_found_and_send_halves_exactly()
    {
        var q = new RegistrationQueue(maxItemsPerRequest: 100);
        q.Enqueue(RegistrationKind.Register, [B("000001"), B("000002"), B("000003"), B("999999")]);
        Assert.Equal(4, q.Next()!.Items.Count);
        Assert.IsType<RegistrationOutcome.Bisected>(q.Complete(Refused()));
        q.Enqueue(RegistrationKind.Register, [B("000005")]);                 // arrives meanwhile: must not join a half
        Assert.Equal(["000001", "000002"], Codes(q.Next()!));
        q.Complete(Ok());
        Assert.Equal(["000003", "999999"], Codes(q.Next()!));
        Assert.IsType<RegistrationOutcome.Bisected>(q.Complete(Refused()));
        Assert.Equal(["000003"], Codes(q.Next()!));
        q.Complete(Ok());
        Assert.Equal(["999999"], Codes(q.Next()!));
        var rejected = Assert.IsType<RegistrationOutcome.ItemRejected>(q.Complete(Refused()));
        Assert.Equal(B("999999"), rejected.Item);
        Assert.Equal(["000005"], Codes(q.Next()!));
    }

    [Fact]
    public void Queue_must_report_a_refused_REMOVE_without_bisecting_it()
    {
        var q = new RegistrationQueue(maxItemsPerRequest: 100);
        q.Enqueue(RegistrationKind.Remove, [B("000001"), B("000002")]);
        q.Next();
        var outcome = Assert.IsType<RegistrationOutcome.RemoveRejected>(q.Complete(Refused(RegistrationKind.Remove)));
        Assert.Equal(2, outcome.Request.Items.Count);
        Assert.True(q.IsDrained);
    }

    [Fact]
    public void Queue_must_ignore_a_reply_with_no_such_request_in_flight()
    {
        var q = new RegistrationQueue(maxItemsPerRequest: 100);
        Assert.IsType<RegistrationOutcome.Unexpected>(q.Complete(Ok()));
        q.Enqueue(RegistrationKind.Register, [B("000001")]);
        q.Next();
        Assert.IsType<RegistrationOutcome.Unexpected>(q.Complete(Ok(RegistrationKind.Remove)));   // wrong kind
        Assert.NotNull(q.InFlight);
        Assert.IsType<RegistrationOutcome.Accepted>(q.Complete(Ok()));
        Assert.True(q.IsDrained);
    }
}
