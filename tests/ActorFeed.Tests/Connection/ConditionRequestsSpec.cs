using System.Text;

namespace ActorFeed.Tests.Connection;

/// <summary>The condition requests of one connection alone: CNSRLST first, one in flight, pages, error classes.</summary>
public sealed class ConditionRequestsSpec
{
    private static string Text(byte[]? frame) => Encoding.UTF8.GetString(frame!);
    private static ConditionSearchFrame Page(string seq, bool more, string? key, params string[] codes) => new(0, "", seq, codes, more, key);

    [Fact]
    public void Requests_must_put_CNSRLST_first_and_keep_one_in_flight()
    {
        var q = new ConditionRequests();
        q.Enqueue(new ConditionRequest.Search("1", Realtime: true));
        q.Enqueue(new ConditionRequest.Search("2", Realtime: true));
        Assert.Equal("""{"trnm":"CNSRLST"}""", Text(q.Next()));
        Assert.Null(q.Next());                                                       // one in flight
        Assert.IsType<ConditionOutcome.Listed>(q.Complete(new ConditionListFrame(0, "", [new("1", "a")])));
        Assert.Contains("\"seq\":\"1\"", Text(q.Next()));
        Assert.IsType<ConditionOutcome.Unexpected>(q.Complete(new ConditionListFrame(0, "", [])));   // not what is in flight
        Assert.IsType<ConditionOutcome.Unexpected>(q.Complete(Page("2", false, null)));                // another seq
        var found = Assert.IsType<ConditionOutcome.Found>(q.Complete(Page("1", false, null, "005930")));
        Assert.Equal(["005930"], found.Codes);
        Assert.Contains("\"seq\":\"2\"", Text(q.Next()));
        q.Complete(Page("2", false, null));
        q.Enqueue(ConditionRequest.List.Instance);                                   // an explicit list later: once
        Assert.Equal("""{"trnm":"CNSRLST"}""", Text(q.Next()));
        q.Complete(new ConditionListFrame(0, "", []));
        Assert.True(q.IsDrained);
    }

    [Fact]
    public void A_one_shot_search_must_follow_every_page_and_join_them()
    {
        var q = new ConditionRequests();
        q.Enqueue(ConditionRequest.List.Instance);
        q.Next();
        q.Complete(new ConditionListFrame(0, "", []));
        q.Enqueue(new ConditionRequest.Search("5", Realtime: false));
        Assert.Contains("\"cont_yn\":\"N\"", Text(q.Next()));
        Assert.IsType<ConditionOutcome.Paging>(q.Complete(Page("5", true, "K2", "005930", "000660")));
        var second = Text(q.Next());
        Assert.Contains("\"cont_yn\":\"Y\"", second);
        Assert.Contains("\"next_key\":\"K2\"", second);
        Assert.IsType<ConditionOutcome.Paging>(q.Complete(Page("5", true, "K3", "035420")));
        Assert.Contains("\"next_key\":\"K3\"", Text(q.Next()));
        var found = Assert.IsType<ConditionOutcome.Found>(q.Complete(Page("5", false, "K4", "051910")));   // cont_yn N: done, whatever the key
        Assert.Equal(["005930", "000660", "035420", "051910"], found.Codes);
        Assert.True(q.IsDrained);
    }

    [Fact]
    public void A_server_repeating_the_same_next_key_must_not_loop()
    {
        var q = new ConditionRequests();
        q.Enqueue(new ConditionRequest.Search("5", Realtime: false));
        q.Next();
        q.Complete(new ConditionListFrame(0, "", []));
        q.Next();
        Assert.IsType<ConditionOutcome.Paging>(q.Complete(Page("5", true, "K", "005930")));
        q.Next();
        Assert.IsType<ConditionOutcome.Found>(q.Complete(Page("5", true, "K", "000660")));
    }

    [Fact]
    public void Errors_must_be_classified_once_rate_limit_again_token_and_credentials_the_link_others_a_refusal()
    {
        var q = new ConditionRequests();
        q.Enqueue(new ConditionRequest.Search("1", Realtime: true));
        q.Next();
        Assert.IsType<ConditionOutcome.RateLimited>(q.Complete(new ConditionListFrame(5, "허용된 요청 개수를 초과하였습니다[1700:...]", [])));
        Assert.Equal("""{"trnm":"CNSRLST"}""", Text(q.Next()));                     // the same request again
        q.Complete(new ConditionListFrame(0, "", []));
        q.Next();
        Assert.IsType<ConditionOutcome.TokenRejected>(q.Complete(new ConditionSearchFrame(3, "인증에 실패했습니다[8005:Token이 유효하지 않습니다]", "1", [], false, null)));
        q.Enqueue(new ConditionRequest.Search("2", Realtime: true));
        q.Next();
        Assert.IsType<ConditionOutcome.LinkFailure>(q.Complete(new ConditionSearchFrame(8031, "모의투자 접속", null, [], false, null)));
        q.Enqueue(new ConditionRequest.Search("3", Realtime: true));
        q.Next();
        var refused = Assert.IsType<ConditionOutcome.Refused>(q.Complete(new ConditionSearchFrame(100, "조건검색 실패", "3", [], false, null)));
        Assert.Equal(100, refused.Error.ReturnCode);
        q.Enqueue(new ConditionRequest.Clear("3"));
        Assert.Equal("""{"trnm":"CNSRCLR","seq":"3"}""", Text(q.Next()));
        Assert.IsType<ConditionOutcome.Cleared>(q.Complete(new ConditionClearFrame(0, "", "3")));
    }

    [Fact]
    public void Requests_must_compare_reply_seqs_by_number()
    {
        Assert.True(ConditionRequests.SameSeq("01", "1"));
        Assert.True(ConditionRequests.SameSeq(" 1 ", "001"));
        Assert.False(ConditionRequests.SameSeq("1", "10"));
        Assert.True(ConditionRequests.SameSeq("x", "x"));                          // not a number: the text
        var q = new ConditionRequests();
        q.Enqueue(new ConditionRequest.Search("01", Realtime: true));
        q.Next();
        q.Complete(new ConditionListFrame(0, "", [new("01", "a")]));
        Assert.Contains("\"seq\":\"01\"", Text(q.Next()));                        // sent back as listed
        Assert.IsType<ConditionOutcome.Unexpected>(q.Complete(Page("2", false, null)));
        Assert.Equal(["005930"], Assert.IsType<ConditionOutcome.Found>(q.Complete(Page("1", false, null, "005930"))).Codes);
    }

    [Fact]
    public void A_real_time_reply_saying_more_pages_follow_must_be_taken_as_it_is_and_marked_truncated()
    {
        var q = new ConditionRequests();
        q.Enqueue(new ConditionRequest.Search("1", Realtime: true));
        q.Next();
        q.Complete(new ConditionListFrame(0, "", []));
        q.Next();
        var found = Assert.IsType<ConditionOutcome.Found>(q.Complete(Page("1", true, "K2", "005930")));
        Assert.True(found.Truncated);
        Assert.Equal(["005930"], found.Codes);
        Assert.True(q.IsDrained);                                                   // no page asked
    }

    [Fact]
    public void A_late_reply_to_a_dropped_request_must_be_discarded_and_hold_requests_about_the_same_seq_until_then()
    {
        var now = DateTimeOffset.UnixEpoch;
        var q = new ConditionRequests(() => now, TimeSpan.FromSeconds(20));
        q.Enqueue(new ConditionRequest.Search("1", Realtime: true));
        q.Next();
        q.Complete(new ConditionListFrame(0, "", []));
        Assert.Contains("\"search_type\":\"1\"", Text(q.Next()));
        Assert.Equal(new ConditionRequest.Search("1", Realtime: true), q.Abandon());
        q.Enqueue(new ConditionRequest.Search("01", Realtime: false));               // same trnm and seq: held
        q.Enqueue(new ConditionRequest.Clear("1"));                                  // about the same seq, behind it: held too
        q.Enqueue(new ConditionRequest.Search("2", Realtime: true));                 // another seq: goes
        Assert.Contains("\"seq\":\"2\"", Text(q.Next()));
        Assert.IsType<ConditionOutcome.Found>(q.Complete(Page("2", false, null)));
        Assert.Null(q.Next());
        Assert.Equal(now + TimeSpan.FromSeconds(20), q.HeldUntil);
        var late = Assert.IsType<ConditionOutcome.LateReply>(q.Complete(Page("1", false, null, "005930")));
        Assert.Equal(new ConditionRequest.Search("1", Realtime: true), late.Request);
        Assert.Null(q.HeldUntil);
        Assert.Contains("\"search_type\":\"0\"", Text(q.Next()));                    // now the one-shot, answered by its own reply
        Assert.Equal(["000660"], Assert.IsType<ConditionOutcome.Found>(q.Complete(Page("1", false, null, "000660"))).Codes);
        Assert.Equal("""{"trnm":"CNSRCLR","seq":"1"}""", Text(q.Next()));
    }

    [Fact]
    public void A_late_reply_to_a_dropped_page_must_name_the_page_and_not_be_taken_for_the_first_page_asked_again()
    {
        var now = DateTimeOffset.UnixEpoch;
        var q = new ConditionRequests(() => now, TimeSpan.FromSeconds(20));
        q.Enqueue(new ConditionRequest.Search("1", Realtime: false));
        q.Next();
        q.Complete(new ConditionListFrame(0, "", []));
        q.Next();
        Assert.IsType<ConditionOutcome.Paging>(q.Complete(Page("1", true, "K2", "005930")));
        Assert.Contains("\"next_key\":\"K2\"", Text(q.Next()));
        q.Abandon();                                                                 // page 2 unanswered
        q.Enqueue(new ConditionRequest.Search("1", Realtime: false));                // asked again from page 1: held
        Assert.Null(q.Next());
        var late = Assert.IsType<ConditionOutcome.LateReply>(q.Complete(Page("1", true, "K3", "000660")));
        Assert.Equal("K2", late.NextKey);
        Assert.Contains("\"cont_yn\":\"N\"", Text(q.Next()));                        // page 1
        Assert.IsType<ConditionOutcome.Paging>(q.Complete(Page("1", true, "K2", "005930")));
    }

    [Fact]
    public void A_request_held_for_a_late_reply_must_go_once_the_window_ends()
    {
        var now = DateTimeOffset.UnixEpoch;
        var q = new ConditionRequests(() => now, TimeSpan.FromSeconds(20));
        q.Enqueue(ConditionRequest.List.Instance);
        q.Next();
        q.Abandon();
        q.Enqueue(ConditionRequest.List.Instance);
        q.Enqueue(new ConditionRequest.Search("1", Realtime: true));                 // behind a held CNSRLST: held too
        Assert.Null(q.Next());
        now += TimeSpan.FromSeconds(19);
        Assert.Null(q.Next());
        now += TimeSpan.FromSeconds(1);
        Assert.Null(q.HeldUntil);
        Assert.Equal("""{"trnm":"CNSRLST"}""", Text(q.Next()));
        Assert.IsType<ConditionOutcome.Listed>(q.Complete(new ConditionListFrame(0, "", [])));   // the window ended: the list asked again
    }

    [Fact]
    public void A_request_without_reply_must_be_dropped_and_the_next_one_sent()

    {
        var q = new ConditionRequests();
        q.Enqueue(new ConditionRequest.Search("1", Realtime: true));
        Assert.Equal("""{"trnm":"CNSRLST"}""", Text(q.Next()));
        Assert.Equal(ConditionRequest.List.Instance, q.Abandon());
        Assert.Null(q.InFlight);
        Assert.Contains("\"seq\":\"1\"", Text(q.Next()));
        Assert.IsType<ConditionOutcome.LateReply>(q.Complete(new ConditionListFrame(0, "", [])));   // the late CNSRLST reply: discarded
        Assert.IsType<ConditionOutcome.Found>(q.Complete(Page("1", false, null)));
        Assert.Null(q.Abandon());
    }
}
