namespace ActorFeed.Tests.Connection;

/// <summary>The REG / REMOVE queue alone: batching, one request in flight, merging, and what each reply means:
/// bisection for an item error only, the same request again for a rate limit, a link or token failure otherwise.</summary>
public sealed class RegistrationQueueSpec
{
    private static RegistrationItem B(string code) => new(code, "0B");
    private static RegistrationItem D(string code) => new(code, "0D");
    private static RegistrationReplyFrame Ok(RegistrationKind kind = RegistrationKind.Register) => new(kind, 0, "");
    /// <summary>Refused for an item: unknown symbol (1901).</summary>
    private static RegistrationReplyFrame Refused(RegistrationKind kind = RegistrationKind.Register) => new(kind, 1901, "종목코드가 존재하지 않습니다");
    private static RegistrationReplyFrame RateLimited(RegistrationKind kind = RegistrationKind.Register) => new(kind, 1700, "허용된 요청 개수를 초과하였습니다");
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
    public void Queue_must_drop_the_waiting_requests_of_one_kind_and_keep_the_one_in_flight()
    {
        var q = new RegistrationQueue(maxItemsPerRequest: 1);
        q.Enqueue(RegistrationKind.Register, [B("000001"), B("000002")]);
        Assert.Equal(["000001"], Codes(q.Next()!));
        q.Enqueue(RegistrationKind.Remove, [B("000003")]);
        q.DropWaiting(RegistrationKind.Register);                         // closing: the REG of 000002 is pointless now
        Assert.Equal(RegistrationKind.Register, q.InFlight!.Kind);
        q.Complete(Ok());
        var next = q.Next()!;
        Assert.Equal((RegistrationKind.Remove, "000003"), (next.Kind, next.Items[0].Code));
        q.Complete(Ok(RegistrationKind.Remove));
        Assert.True(q.IsDrained);
    }

    [Fact]
    public void Queue_must_take_an_unexplained_refusal_of_the_same_items_on_a_later_connection_as_about_an_item()
    {
        var suspects = new RegistrationSuspects();                          // shared across connections, as the feed does
        RegistrationReplyFrame strange = new(RegistrationKind.Register, 9999, "시스템 오류");
        var first = new RegistrationQueue(100, suspects);
        first.Enqueue(RegistrationKind.Register, [B("000001"), B("999999")]);
        first.Next();
        Assert.IsType<RegistrationOutcome.LinkFailure>(first.Complete(strange));
        var second = new RegistrationQueue(100, suspects);                   // the next connection replays
        second.Enqueue(RegistrationKind.Register, [B("000001"), B("999999")]);
        second.Next();
        Assert.IsType<RegistrationOutcome.Bisected>(second.Complete(strange));
        Assert.Equal(["000001"], Codes(second.Next()!));
        Assert.IsType<RegistrationOutcome.Accepted>(second.Complete(Ok()));
        Assert.Equal(["999999"], Codes(second.Next()!));
        Assert.IsType<RegistrationOutcome.ItemRejected>(second.Complete(strange));

        var third = new RegistrationQueue(100, suspects);                    // accepted and rejected items are forgotten:
        third.Enqueue(RegistrationKind.Register, [B("000001")]);             // a later transient error restarts the link again
        third.Next();
        Assert.IsType<RegistrationOutcome.LinkFailure>(third.Complete(strange));
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

    [Theory]
    [InlineData(1901, "종목코드가 존재하지 않습니다")]
    [InlineData(2, "요청이 처리되지 않았습니다[1902:시장구분 오류]")]             // coarse envelope
    [InlineData(1505, "입력값 오류")]
    [InlineData(1687, "입력값 오류")]
    public void Queue_must_bisect_only_for_item_class_errors_of_either_envelope(int returnCode, string message)
    {
        var q = new RegistrationQueue(maxItemsPerRequest: 100);
        q.Enqueue(RegistrationKind.Register, [B("000001"), B("000002")]);
        q.Next();
        var bisected = Assert.IsType<RegistrationOutcome.Bisected>(q.Complete(new RegistrationReplyFrame(RegistrationKind.Register, returnCode, message)));
        Assert.Equal(KiwoomErrorClass.Item, bisected.Error.Class);
        Assert.Equal(["000001"], Codes(q.Next()!));
    }

    [Theory]
    [InlineData(1700, "허용된 요청 개수를 초과하였습니다")]
    [InlineData(5, "허용된 요청 개수를 초과하였습니다[1700:허용된 요청 개수를 초과하였습니다]")]   // coarse envelope
    public void Queue_must_put_a_rate_limited_REG_back_first_exactly_as_sent(int returnCode, string message)
    {
        var q = new RegistrationQueue(maxItemsPerRequest: 3);
        q.Enqueue(RegistrationKind.Register, [B("000001"), B("000002")]);
        var sent = q.Next()!;
        q.Enqueue(RegistrationKind.Register, [B("000003")]);                  // waits behind: may not join the resend
        var limited = Assert.IsType<RegistrationOutcome.RateLimited>(q.Complete(new RegistrationReplyFrame(RegistrationKind.Register, returnCode, message)));
        Assert.Same(sent, limited.Request);
        Assert.Equal(1700, limited.Error.FineCode);
        Assert.Null(q.InFlight);
        Assert.True(q.HasWaiting);
        var again = q.Next()!;
        Assert.Equal(["000001", "000002"], Codes(again));                     // the same items: not split, not merged
        Assert.True(again.Exact);
        Assert.IsType<RegistrationOutcome.RateLimited>(q.Complete(RateLimited()));
        Assert.Equal(["000001", "000002"], Codes(q.Next()!));                 // and again, as often as it is rate limited
        Assert.IsType<RegistrationOutcome.Accepted>(q.Complete(Ok()));
        Assert.Equal(["000003"], Codes(q.Next()!));
        q.Complete(Ok());
        Assert.True(q.IsDrained);
    }

    [Fact]
    public void Queue_must_put_a_rate_limited_REMOVE_back_first_too()
    {
        var q = new RegistrationQueue(maxItemsPerRequest: 100);
        q.Enqueue(RegistrationKind.Remove, [B("000001"), B("000002")]);
        q.Next();
        Assert.IsType<RegistrationOutcome.RateLimited>(q.Complete(RateLimited(RegistrationKind.Remove)));
        var again = q.Next()!;
        Assert.Equal(RegistrationKind.Remove, again.Kind);
        Assert.Equal(["000001", "000002"], Codes(again));
        Assert.IsType<RegistrationOutcome.Accepted>(q.Complete(Ok(RegistrationKind.Remove)));
        Assert.True(q.IsDrained);
    }

    [Theory]
    [InlineData(8005, "Token이 유효하지 않습니다")]
    [InlineData(3, "인증에 실패했습니다[8005:Token이 유효하지 않습니다]")]
    public void Queue_must_report_a_token_error_on_a_REG_without_rejecting_any_item(int returnCode, string message)
    {
        var q = new RegistrationQueue(maxItemsPerRequest: 100);
        q.Enqueue(RegistrationKind.Register, [B("000001"), B("000002")]);
        var sent = q.Next()!;
        var outcome = Assert.IsType<RegistrationOutcome.TokenRejected>(q.Complete(new RegistrationReplyFrame(RegistrationKind.Register, returnCode, message)));
        Assert.Same(sent, outcome.Request);
        Assert.Equal(8005, outcome.Error.FineCode);
        Assert.False(q.HasWaiting);                                           // nothing split
    }

    [Theory]
    [InlineData(1, "error")]                                                  // no fine code at all
    [InlineData(9999, "시스템 오류")]
    [InlineData(8001, "App Key가 유효하지 않습니다")]                          // permanent classes say nothing about items either
    [InlineData(8031, "모의투자 구분 오류")]
    [InlineData(8103, "단말기 인증 오류")]
    public void Queue_must_report_any_other_error_on_a_REG_as_a_link_failure_not_a_bad_item(int returnCode, string message)
    {
        var q = new RegistrationQueue(maxItemsPerRequest: 100);
        q.Enqueue(RegistrationKind.Register, [B("000001"), B("000002")]);
        var sent = q.Next()!;
        var outcome = Assert.IsType<RegistrationOutcome.LinkFailure>(q.Complete(new RegistrationReplyFrame(RegistrationKind.Register, returnCode, message)));
        Assert.Same(sent, outcome.Request);
        Assert.Equal(returnCode, outcome.Error.ReturnCode);
        Assert.False(q.HasWaiting);
    }

    [Fact]
    public void Queue_must_report_a_REMOVE_refused_with_a_token_or_service_error_as_rejected_not_as_a_failure()
    {
        var q = new RegistrationQueue(maxItemsPerRequest: 100);
        foreach (var (code, message) in new[] { (8005, "Token이 유효하지 않습니다"), (1, "error") })
        {
            q.Enqueue(RegistrationKind.Remove, [B("000001")]);
            q.Next();
            var outcome = Assert.IsType<RegistrationOutcome.RemoveRejected>(q.Complete(new RegistrationReplyFrame(RegistrationKind.Remove, code, message)));
            Assert.Equal(code, outcome.Error.FineCode);
            Assert.True(q.IsDrained);
        }
    }
}
