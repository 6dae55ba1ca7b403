using System.Net.WebSockets;
using Akka.Actor;
using Akka.TestKit;
using ActorFeed.Messages;
using ActorFeed.Testing.Fakes;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>Condition search (조건검색) through the whole tree on fakes: CNSRLST first on every connection, snapshots,
/// changes routed by seq, recovery diffs after reconnects, clearing, limits, rejections, one-shot paging, and
/// conditions that drive ticks, ref-counted against the host's own subscriptions.</summary>
public sealed class ConditionSpec(ITestOutputHelper output) : FeedSpecBase(output)
{
    private static readonly TimeSpan Kst = TimeSpan.FromHours(9);

    private static string ListReply(params int[] seqs) =>
        """{"trnm":"CNSRLST","return_code":0,"return_msg":"","data":[""" + string.Join(",", seqs.Select(s => $"[\"{s}\",\"조건{s}\"]")) + "]}";

    private static string Members(int seq, params string[] codes) =>
        $$"""{"trnm":"CNSRREQ","seq":"{{seq}}","return_code":0,"return_msg":"","data":[""" + string.Join(",", codes.Select(c => $"{{\"jmcode\":\"A{c}\"}}")) + "]}";

    private static string Change(int seq, string code, bool entered, string time = "093015") =>
        "{\"trnm\":\"REAL\",\"data\":[{\"type\":\"02\",\"name\":\"조건검색\",\"item\":\"A" + code + "\",\"values\":{\"841\":\"" + seq
        + "\",\"9001\":\"A" + code + "\",\"843\":\"" + (entered ? "I" : "D") + "\",\"20\":\"" + time + "\",\"907\":\"2\",\"9081\":\"1\"}}]}";

    /// <summary>The next frame sent on <paramref name="t"/>, whatever it is.</summary>
    private string NextSent(FakeTransport t) => Wire.ExpectMsg<SentFrame>(f => f.Transport == t, TimeSpan.FromSeconds(5)).Text;

    /// <summary>Expects CNSRLST as the next frame, answers it with <paramref name="seqs"/>.</summary>
    private void AnswerList(FakeTransport t, params int[] seqs)
    {
        Assert.Equal("""{"trnm":"CNSRLST"}""", NextSent(t));
        t.Push(ListReply(seqs));
    }

    /// <summary>Expects CNSRREQ search_type 1 of <paramref name="seq"/> as the next frame, answers it with <paramref name="codes"/>.</summary>
    private void AnswerRealtime(FakeTransport t, int seq, params string[] codes)
    {
        Assert.Equal($$"""{"trnm":"CNSRREQ","seq":"{{seq}}","search_type":"1","stex_tp":"K"}""", NextSent(t));
        t.Push(Members(seq, codes));
    }

    /// <summary>Applies the events a subscriber got to a member set, as a subscriber that only applies events would.</summary>
    private static void Apply(HashSet<string> members, object e)
    {
        switch (e)
        {
            case ConditionSnapshot s: members.Clear(); members.UnionWith(s.Codes); break;
            case ConditionEntered en: Assert.True(members.Add(en.Code), $"{en.Code} entered twice"); break;
            case ConditionLeft l: Assert.True(members.Remove(l.Code), $"{l.Code} left but was not a member"); break;
        }
    }

    [Fact]
    public void Conditions_must_wait_for_the_connection_ask_CNSRLST_first_and_answer_with_a_snapshot()
    {
        var feed = StartFeed();
        var me = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, me));                       // not connected yet: it waits
        feed.Tell(new ListConditions(), me);
        var (t, _) = AcceptConnection();
        AnswerList(t, 0, 1);
        Assert.Equal([new ConditionInfo(0, "조건0"), new ConditionInfo(1, "조건1")], me.ExpectMsg<ConditionList>().Conditions);
        AnswerRealtime(t, 1, "005930", "000660");
        var snapshot = me.ExpectMsg<ConditionSnapshot>();
        Assert.Equal((1, "조건1"), (snapshot.Seq, snapshot.Name));
        Assert.Equal(["005930", "000660"], snapshot.Codes);
        me.ExpectNoMsg(Quiet);
        feed.Tell(new ListConditions(), me);                           // asked again while connected: a fresh CNSRLST
        AnswerList(t, 1, 2);
        Assert.Equal([1, 2], me.ExpectMsg<ConditionList>().Conditions.Select(c => c.Seq));
        Wire.ExpectNoMsg(Quiet);                                        // the followed condition is not requested again
    }

    [Fact]
    public void Condition_changes_must_be_routed_by_seq_with_the_prefix_stripped_and_the_server_time()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, a));
        AnswerList(t, 1, 2);
        AnswerRealtime(t, 1, "005930");
        a.ExpectMsg<ConditionSnapshot>();
        feed.Tell(new SubscribeCondition(2, b));
        AnswerRealtime(t, 2);                                           // CNSRLST was asked on this connection already
        Assert.Empty(b.ExpectMsg<ConditionSnapshot>().Codes);

        t.Push(Change(2, "000660", entered: true, time: "093015"));
        var entered = b.ExpectMsg<ConditionEntered>();                  // FID 20 on the KST day of receipt (the socket's clock)
        Assert.Equal((2, "000660", new TimeSpan(9, 30, 15), false), (entered.Seq, entered.Code, entered.At.ToOffset(Kst).TimeOfDay, entered.Recovered));
        t.Push(Change(2, "000660", entered: true));                     // a repeated I changes nothing
        t.Push(Change(1, "005930", entered: false, time: "093020"));
        var left = a.ExpectMsg<ConditionLeft>();
        Assert.Equal((1, "005930", new TimeSpan(9, 30, 20), false), (left.Seq, left.Code, left.At.ToOffset(Kst).TimeOfDay, left.Recovered));
        t.Push(Change(7, "035420", entered: true));                     // a condition nobody follows
        a.ExpectNoMsg(Quiet);
        b.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void Recovery_must_replay_conditions_after_a_reconnect_and_send_each_missed_change_once_as_recovered()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        var late = CreateTestProbe();
        var aMembers = new HashSet<string>();
        feed.Tell(new SubscribeCondition(1, a));
        feed.Tell(new SubscribeCondition(1, b));
        AnswerList(t1, 1);
        AnswerRealtime(t1, 1, "005930", "000660");
        Apply(aMembers, a.ExpectMsg<ConditionSnapshot>());
        b.ExpectMsg<ConditionSnapshot>();
        t1.Push(Change(1, "035420", entered: true));
        Apply(aMembers, a.ExpectMsg<ConditionEntered>());
        b.ExpectMsg<ConditionEntered>();

        t1.ServerClose(WebSocketCloseStatus.EndpointUnavailable, "restart");
        var decision = ExpectDecision(FeedComponent.Connection);
        feed.Tell(new SubscribeCondition(1, late));                     // joins during the outage: the members last known
        Assert.Equal(["005930", "000660", "035420"], late.ExpectMsg<ConditionSnapshot>().Codes);
        AdvanceExpectingNothingBefore(decision.Delay, Wire);
        var (t2, _) = AcceptConnection();
        AnswerList(t2, 1);                                              // CNSRLST first again, then the condition
        AnswerRealtime(t2, 1, "000660", "035420", "051910");            // 005930 left, 051910 entered meanwhile

        var events = new List<object> { a.ExpectMsg<ConditionLeft>(), a.ExpectMsg<ConditionEntered>() };
        Assert.Equal(("005930", true), (((ConditionLeft)events[0]).Code, ((ConditionLeft)events[0]).Recovered));
        Assert.Equal(("051910", true), (((ConditionEntered)events[1]).Code, ((ConditionEntered)events[1]).Recovered));
        foreach (var e in events) Apply(aMembers, e);
        Assert.Equal(["000660", "035420", "051910"], aMembers.Order());    // exactly the server's membership
        foreach (var probe in new[] { b, late })
        {
            Assert.True(probe.ExpectMsg<ConditionLeft>().Recovered);
            Assert.True(probe.ExpectMsg<ConditionEntered>().Recovered);
        }
        a.ExpectNoMsg(Quiet);                                           // once each
        b.ExpectNoMsg(TimeSpan.Zero);
        late.ExpectNoMsg(TimeSpan.Zero);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void Condition_must_end_with_the_servers_membership_when_a_change_is_pushed_before_the_reply_after_a_reconnect(bool entered, bool pushFirst)
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var me = CreateTestProbe();
        var members = new HashSet<string>();
        feed.Tell(new SubscribeCondition(1, me));
        AnswerList(t1, 1);
        AnswerRealtime(t1, 1, "005930", "000660");
        Apply(members, me.ExpectMsg<ConditionSnapshot>());
        var t2 = Reconnect(t1);
        AnswerList(t2, 1);
        Assert.Contains("\"search_type\":\"1\"", NextSent(t2));
        var change = entered ? Change(1, "035420", entered: true) : Change(1, "000660", entered: false);
        if (pushFirst) t2.Push(change);                                   // the push overtakes the reply computed just before it
        t2.Push(Members(1, "005930", "000660"));                          // the members before the change
        if (!pushFirst) t2.Push(change);

        object e = entered ? me.ExpectMsg<ConditionEntered>() : me.ExpectMsg<ConditionLeft>();
        Apply(members, e);
        Assert.Equal(entered ? new[] { "000660", "005930", "035420" } : ["005930"], members.Order());
        Assert.False(e is ConditionEntered { Recovered: true } or ConditionLeft { Recovered: true });   // a live change, announced once
        me.ExpectNoMsg(Quiet);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Condition_must_keep_a_change_pushed_before_the_first_reply_and_send_it_after_the_snapshot(bool entered)
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        var members = new HashSet<string>();
        feed.Tell(new SubscribeCondition(1, me));
        AnswerList(t, 1);
        Assert.Contains("\"search_type\":\"1\"", NextSent(t));
        t.Push(entered ? Change(1, "035420", entered: true) : Change(1, "000660", entered: false));
        t.Push(Members(1, "005930", "000660"));
        Apply(members, me.ExpectMsg<ConditionSnapshot>());
        Apply(members, entered ? me.ExpectMsg<ConditionEntered>() : me.ExpectMsg<ConditionLeft>());
        Assert.Equal(entered ? new[] { "000660", "005930", "035420" } : ["005930"], members.Order());
        me.ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Condition_seqs_must_be_compared_by_number_in_replies_and_pushes()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, me));
        Assert.Equal("""{"trnm":"CNSRLST"}""", NextSent(t));
        t.Push("""{"trnm":"CNSRLST","return_code":0,"return_msg":"","data":[["01","조건1"]]}""");
        Assert.Equal("""{"trnm":"CNSRREQ","seq":"01","search_type":"1","stex_tp":"K"}""", NextSent(t));   // sent back as listed
        t.Push(Members(1, "005930"));                                     // answered as "1"
        Assert.Equal(["005930"], me.ExpectMsg<ConditionSnapshot>().Codes);
        t.Push(Change(1, "000660", entered: true).Replace("\"841\":\"1\"", "\"841\":\"001\""));
        Assert.Equal("000660", me.ExpectMsg<ConditionEntered>().Code);
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);
    }

    [Fact]
    public void Condition_must_warn_with_its_seq_when_a_real_time_reply_says_more_pages_follow()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, me));
        AnswerList(t, 1);
        Assert.Contains("\"search_type\":\"1\"", NextSent(t));
        EventFilter.Warning(start: "Condition 1: the real-time CNSRREQ reply says more pages follow (cont_yn Y)").ExpectOne(() =>
            t.Push("""{"trnm":"CNSRREQ","seq":"1","return_code":0,"cont_yn":"Y","next_key":"P2","data":[{"jmcode":"A005930"}]}"""));
        Assert.Equal(["005930"], me.ExpectMsg<ConditionSnapshot>().Codes);
        Wire.ExpectNoMsg(Quiet);                                          // no page asked: the protocol notes page search_type 0 only
    }

    [Fact]
    public void Condition_must_stay_followed_when_CNSRLST_is_refused_after_a_reconnect_and_be_asked_again_with_a_growing_backoff()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, me));
        AnswerList(t1, 1);
        AnswerRealtime(t1, 1, "005930");
        me.ExpectMsg<ConditionSnapshot>();
        var t2 = Reconnect(t1);
        foreach (var delay in new[] { Settings.BackoffMin, 2 * Settings.BackoffMin })
        {
            Assert.Equal("""{"trnm":"CNSRLST"}""", NextSent(t2));
            EventFilter.Warning(contains: $"asking CNSRLST again in {delay:c}").ExpectOne(() =>
                t2.Push("""{"trnm":"CNSRLST","return_code":1,"return_msg":"일시적인 오류입니다"}"""));
            AdvanceExpectingNothingBefore(delay, Wire);
        }
        AnswerList(t2, 1);
        AnswerRealtime(t2, 1, "005930", "000660");
        var entered = me.ExpectMsg<ConditionEntered>();                   // still followed: the outage's change, recovered
        Assert.Equal(("000660", true), (entered.Code, entered.Recovered));
        me.ExpectNoMsg(Quiet);
        Events.ExpectNoDecision(FeedComponent.Connection, TimeSpan.Zero);
    }

    [Fact]
    public void Condition_must_stay_followed_when_a_list_lacks_it_once_and_be_rejected_when_two_lists_in_a_row_lack_it()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, me));
        AnswerList(t1, 1);
        AnswerRealtime(t1, 1, "005930");
        me.ExpectMsg<ConditionSnapshot>();
        var t2 = Reconnect(t1);
        Assert.Equal("""{"trnm":"CNSRLST"}""", NextSent(t2));
        EventFilter.Warning(contains: "followed condition(s) 1 not in the server's list (CNSRLST: empty): kept until a second list lacks them too; asking CNSRLST again in 00:00:01")
            .ExpectOne(() => t2.Push(ListReply()));                     // momentarily empty
        AdvanceExpectingNothingBefore(Settings.BackoffMin, Wire);
        AnswerList(t2, 1);                                                // there again: requested
        AnswerRealtime(t2, 1, "005930");
        me.ExpectNoMsg(Quiet);

        var t3 = Reconnect(t2);                                           // absent from two lists in a row: rejected
        Assert.Equal("""{"trnm":"CNSRLST"}""", NextSent(t3));
        EventFilter.Warning(contains: "asking CNSRLST again in 00:00:01").ExpectOne(() => t3.Push(ListReply(2)));
        AdvanceExpectingNothingBefore(Settings.BackoffMin, Wire);
        AnswerList(t3, 2);
        var rejected = me.ExpectMsg<ConditionRejected>();
        Assert.Equal(1, rejected.Seq);
        Assert.Contains("condition 1 is not in the server's list (CNSRLST: 2 조건2), two lists in a row", rejected.Reason);
        Wire.ExpectNoMsg(Quiet);                                          // nothing to clear: never requested on this link
    }

    [Fact]
    public void Condition_must_stay_followed_when_CNSRREQ_is_refused_for_the_service_and_leave_only_on_an_item_refusal()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, me));
        AnswerList(t1, 1);
        AnswerRealtime(t1, 1, "005930");
        me.ExpectMsg<ConditionSnapshot>();
        var t2 = Reconnect(t1);
        AnswerList(t2, 1);
        Assert.Contains("\"search_type\":\"1\"", NextSent(t2));
        EventFilter.Warning(contains: "Condition 1: server refused CNSRREQ of condition 1 (search_type 1)").ExpectOne(() =>
            t2.Push("""{"trnm":"CNSRREQ","seq":"1","return_code":100,"return_msg":"조건검색 요청 실패"}"""));
        AdvanceExpectingNothingBefore(Settings.BackoffMin, Wire);
        AnswerRealtime(t2, 1, "000660");                                  // asked again alone: the list is known on this link
        Assert.Equal("005930", me.ExpectMsg<ConditionLeft>().Code);
        Assert.Equal("000660", me.ExpectMsg<ConditionEntered>().Code);

        var t3 = Reconnect(t2);                                           // an item-class refusal is definite
        AnswerList(t3, 1);
        Assert.Contains("\"search_type\":\"1\"", NextSent(t3));
        t3.Push("""{"trnm":"CNSRREQ","seq":"1","return_code":1,"return_msg":"조건검색 실패[1902:조건이 존재하지 않습니다]"}""");
        var rejected = me.ExpectMsg<ConditionRejected>();
        Assert.Contains("1902", rejected.Reason);
        Wire.ExpectNoMsg(Quiet);                                          // refused: nothing to clear
        Events.ExpectNoDecision(FeedComponent.Connection, TimeSpan.Zero);
    }

    [Fact]
    public void A_token_rejected_on_CNSRREQ_must_fail_the_link_get_a_new_token_and_replay_the_conditions()
    {
        var feed = StartFeed();
        var (t1, first) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, me));
        AnswerList(t1, 1);
        Assert.Contains("CNSRREQ", NextSent(t1));
        t1.Push("""{"trnm":"CNSRREQ","seq":"1","return_code":3,"return_msg":"인증에 실패했습니다[8005:Token이 유효하지 않습니다]"}""");
        var decision = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FeedFailureException.Causes.TokenRejected, decision.Cause);
        Assert.Contains("CNSRREQ of condition 1", decision.Detail);
        TokenCalls.FishForMessage(m => m is TokenIssued i && i.Token != first);
        Scheduler.Advance(decision.Delay);
        var (t2, second) = AcceptConnection();
        Assert.NotEqual(first, second);
        AnswerList(t2, 1);
        AnswerRealtime(t2, 1, "005930");
        Assert.Equal(["005930"], me.ExpectMsg<ConditionSnapshot>().Codes);   // nothing was rejected
        AssertNoSecretLogged(first, second);
    }

    [Fact]
    public void A_duplicate_session_must_replay_the_conditions_after_the_long_backoff()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, me));
        AnswerList(t1, 1);
        AnswerRealtime(t1, 1, "005930");
        me.ExpectMsg<ConditionSnapshot>();
        t1.Push("""{"trnm":"SYSTEM","code":"R10001","message":"동일한 App key로 접속이 되었습니다. 기존 세션은 종료가 됩니다"}""");
        var decision = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(Settings.PermanentFailureBackoff, decision.Delay);
        AdvanceExpectingNothingBefore(decision.Delay, Wire);
        var (t2, _) = AcceptConnection();
        AnswerList(t2, 1);
        AnswerRealtime(t2, 1, "000660");
        Assert.Equal(new ConditionLeft(1, "005930", Time.GetUtcNow(), true), me.ExpectMsg<ConditionLeft>());
        Assert.Equal(new ConditionEntered(1, "000660", Time.GetUtcNow(), true), me.ExpectMsg<ConditionEntered>());
    }

    [Fact]
    public void The_last_subscriber_leaving_or_dying_must_clear_the_condition_on_the_server()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, a));
        feed.Tell(new SubscribeCondition(1, b));
        AnswerList(t, 1);
        AnswerRealtime(t, 1, "005930");
        a.ExpectMsg<ConditionSnapshot>();
        b.ExpectMsg<ConditionSnapshot>();
        feed.Tell(new UnsubscribeCondition(1, a));
        a.ExpectMsg(new ConditionUnsubscribed(1));
        t.Push(Change(1, "000660", entered: true));
        b.ExpectMsg<ConditionEntered>();                                 // still followed for b; a hears nothing
        a.ExpectNoMsg(Quiet);
        Wire.ExpectNoMsg(TimeSpan.Zero);                                 // no CNSRCLR while b follows it
        Watch(b.Ref);
        Sys.Stop(b.Ref);
        ExpectTerminated(b.Ref);
        Assert.Equal("""{"trnm":"CNSRCLR","seq":"1"}""", NextSent(t));
        t.Push("""{"trnm":"CNSRCLR","seq":"1","return_code":0,"return_msg":""}""");

        feed.Tell(new SubscribeCondition(1, a));                         // followed again: requested again
        AnswerRealtime(t, 1, "000660");
        Assert.Equal(["000660"], a.ExpectMsg<ConditionSnapshot>().Codes);
        feed.Tell(new UnsubscribeCondition(1), a);
        a.ExpectMsg(new ConditionUnsubscribed(1));
        Assert.Equal("""{"trnm":"CNSRCLR","seq":"1"}""", NextSent(t));
    }

    [Fact]
    public void A_real_time_condition_beyond_max_realtime_must_be_rejected_with_the_reason()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        for (var seq = 0; seq < 10; seq++) feed.Tell(new SubscribeCondition(seq, me));
        AnswerList(t, Enumerable.Range(0, 11).ToArray());
        for (var seq = 0; seq < 10; seq++) AnswerRealtime(t, seq, "005930");
        for (var seq = 0; seq < 10; seq++) me.ExpectMsg<ConditionSnapshot>();
        feed.Tell(new SubscribeCondition(10, me));
        var rejected = me.ExpectMsg<ConditionRejected>();
        Assert.Equal(10, rejected.Seq);
        Assert.Contains("at most 10 real-time conditions", rejected.Reason);
        Assert.Contains("actorfeed.conditions.max-realtime", rejected.Reason);
        feed.Tell(new SubscribeCondition(3, me));                        // one already followed is no new one
        me.ExpectMsg<ConditionSnapshot>();
        feed.Tell(new UnsubscribeCondition(0, me));
        me.ExpectMsg<ConditionUnsubscribed>();
        Assert.Contains("CNSRCLR", NextSent(t));
        t.Push("""{"trnm":"CNSRCLR","seq":"0","return_code":0,"return_msg":""}""");
        feed.Tell(new SubscribeCondition(10, me));                       // room again
        AnswerRealtime(t, 10);
        me.ExpectMsg<ConditionSnapshot>();
    }

    [Fact]
    public void Bad_input_an_unknown_seq_and_a_server_refusal_must_be_rejected_without_failing_the_link()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new SubscribeCondition(-1, me));
        Assert.Contains("negative", me.ExpectMsg<ConditionRejected>().Reason);
        feed.Tell(new SubscribeCondition(1, me, ["0Z"]));
        Assert.Contains("unknown tick type '0Z'", me.ExpectMsg<ConditionRejected>().Reason);
        feed.Tell(new SubscribeCondition(1, me, ["00"]));
        Assert.Contains("per account", me.ExpectMsg<ConditionRejected>().Reason);
        feed.Tell(new SubscribeCondition(1, me, [null!]));
        Assert.Contains("missing", me.ExpectMsg<ConditionRejected>().Reason);
        feed.Tell(new SubscribeCondition(1), ActorRefs.NoSender);
        feed.Tell(new SearchCondition(-2), me);
        Assert.Equal(-2, me.ExpectMsg<ConditionRejected>().Seq);
        Wire.ExpectNoMsg(Quiet);                                          // nothing reached the server

        feed.Tell(new SubscribeCondition(9, me));
        AnswerList(t, 1, 2);
        var unknown = me.ExpectMsg<ConditionRejected>();
        Assert.Equal(9, unknown.Seq);
        Assert.Contains("not in the server's list", unknown.Reason);
        feed.Tell(new SubscribeCondition(2, me));
        Assert.Contains("\"seq\":\"2\"", NextSent(t));
        t.Push("""{"trnm":"CNSRREQ","seq":"2","return_code":100,"return_msg":"조건검색 요청 실패"}""");
        var refused = me.ExpectMsg<ConditionRejected>();
        Assert.Equal(2, refused.Seq);
        Assert.Contains("조건검색 요청 실패", refused.Reason);
        feed.Tell(new SubscribeCondition(1, me));                        // the link lives on
        AnswerRealtime(t, 1, "005930");
        me.ExpectMsg<ConditionSnapshot>();
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);
    }

    [Fact]
    public void SearchCondition_must_follow_every_page_and_answer_once_with_all_codes()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        feed.Tell(new SearchCondition(3));
        AnswerList(t, 3);
        Assert.Equal("""{"trnm":"CNSRREQ","seq":"3","search_type":"0","stex_tp":"K","cont_yn":"N","next_key":""}""", NextSent(t));
        t.Push("""{"trnm":"CNSRREQ","seq":"3","return_code":0,"cont_yn":"Y","next_key":"P2","data":[{"jmcode":"A005930"},{"jmcode":"A000660"}]}""");
        Assert.Equal("""{"trnm":"CNSRREQ","seq":"3","search_type":"0","stex_tp":"K","cont_yn":"Y","next_key":"P2"}""", NextSent(t));
        ExpectNoMsg(Quiet);                                               // no answer before the last page
        t.Push("""{"trnm":"CNSRREQ","seq":"3","return_code":0,"cont_yn":"N","data":[{"jmcode":"Q500001"}]}""");
        var result = ExpectMsg<ConditionSearchResult>();
        Assert.Equal((3, "조건3"), (result.Seq, result.Name));
        Assert.Equal(["005930", "000660", "500001"], result.Codes);
        feed.Tell(new SearchCondition(4));
        Assert.Contains("not in the server's list", ExpectMsg<ConditionRejected>().Reason);
    }

    [Fact]
    public void A_rate_limited_condition_request_must_be_sent_again_after_a_pause_and_reject_nothing()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, me));
        Assert.Equal("""{"trnm":"CNSRLST"}""", NextSent(t));
        EventFilter.Warning(contains: "CNSRLST rate limited").ExpectOne(() =>        // logged once the pause runs
            t.Push("""{"trnm":"CNSRLST","return_code":5,"return_msg":"허용된 요청 개수를 초과하였습니다[1700:요청 제한]"}"""));
        AdvanceExpectingNothingBefore(Settings.BackoffMin, Wire);
        AnswerList(t, 1);                                                          // the same request again
        AnswerRealtime(t, 1, "005930");
        me.ExpectMsg<ConditionSnapshot>();
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);
    }

    [Fact]
    public void A_condition_request_without_reply_must_not_fail_the_link_be_asked_once_more_after_a_backoff_then_rejected()
    {
        Settings = Settings with { IdleTimeout = TimeSpan.FromHours(1) };   // the fake server sends no PING while time passes
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        var ticks = CreateTestProbe();
        SubscribeConfirmed(feed, t, ticks, "005930");
        feed.Tell(new SubscribeCondition(1, me));
        Assert.Equal("""{"trnm":"CNSRLST"}""", NextSent(t));             // never answered
        TimeOutExpecting("CNSRLST",
            $"no reply to CNSRLST within {Settings.RequestTimeout:c} (actorfeed.connection.request-timeout); asking once more; asking CNSRLST again in 00:00:01 (attempt 1)");
        AdvanceOverLateReplyWindow(Settings.BackoffMin);
        Assert.Equal("""{"trnm":"CNSRLST"}""", NextSent(t));             // asked once more, never answered again
        TimeOutExpecting("CNSRLST", "Condition 1 rejected: no reply to CNSRLST");
        var rejected = me.ExpectMsg<ConditionRejected>();                 // a brand-new subscription: rejected with the reason
        Assert.Equal(1, rejected.Seq);
        Assert.Contains($"no reply to CNSRLST within {Settings.RequestTimeout:c} (actorfeed.connection.request-timeout), twice", rejected.Reason);
        t.Push(Real("005930"));                                           // ticks flow on: the link was never failed
        ticks.ExpectMsg<Tick>();

        // its CNSRREQ unanswered twice: rejected the same way (its CNSRLST waits while the late reply of the last one may come)
        EventFilter.Info(contains: "CNSRLST held for at most").ExpectOne(() => feed.Tell(new SubscribeCondition(2, me)));
        AdvanceExpectingNothingBefore(2 * Settings.RequestTimeout, Wire);
        AnswerList(t, 2);

        Assert.Contains("\"seq\":\"2\"", NextSent(t));
        TimeOutExpecting("CNSRREQ of condition 2 (search_type 1)", "Condition 2: no reply to CNSRREQ of condition 2 (search_type 1)");
        AdvanceOverLateReplyWindow(Settings.BackoffMin);
        Assert.Contains("\"seq\":\"2\"", NextSent(t));
        TimeOutExpecting("CNSRREQ of condition 2 (search_type 1)", "Condition 2 rejected");
        Assert.Contains($"no reply to CNSRREQ of condition 2 (search_type 1) within {Settings.RequestTimeout:c}", me.ExpectMsg<ConditionRejected>().Reason);
        Assert.Equal("""{"trnm":"CNSRCLR","seq":"2"}""", NextSent(t));   // it may be active on the server after its timeouts
        t.Push("""{"trnm":"CNSRCLR","seq":"2","return_code":0,"return_msg":""}""");

        // a one-shot search: once more, then rejected; it waits while the late reply of the dropped CNSRREQ 2 may come
        EventFilter.Info(contains: "CNSRREQ of condition 2 (search_type 0) held for at most").ExpectOne(() => feed.Tell(new SearchCondition(2), me));
        AdvanceExpectingNothingBefore(2 * Settings.RequestTimeout, Wire);
        Assert.Contains("\"search_type\":\"0\"", NextSent(t));
        TimeOutExpecting("CNSRREQ of condition 2 (search_type 0)", "asking once more in 00:00:01");
        AdvanceOverLateReplyWindow(Settings.BackoffMin);
        Assert.Contains("\"search_type\":\"0\"", NextSent(t));
        TimeOutExpecting("CNSRREQ of condition 2 (search_type 0)", null);
        Assert.Contains("(search_type 0) within", me.ExpectMsg<ConditionRejected>().Reason);
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);
    }

    [Fact]
    public void A_followed_condition_without_reply_must_stay_followed_and_be_asked_again_with_a_growing_backoff_capped_at_backoff_max()
    {
        Settings = Settings with { IdleTimeout = TimeSpan.FromHours(1) };
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, me));
        AnswerList(t1, 1);
        AnswerRealtime(t1, 1, "005930");
        me.ExpectMsg<ConditionSnapshot>();
        var t2 = Reconnect(t1);
        AnswerList(t2, 1);
        var delays = new List<TimeSpan>();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            Assert.Contains("\"search_type\":\"1\"", NextSent(t2));     // never answered
            var delay = TimeSpan.FromTicks(Math.Min(Settings.BackoffMax.Ticks, Settings.BackoffMin.Ticks << (attempt - 1)));
            TimeOutExpecting("CNSRREQ of condition 1 (search_type 1)",
                $"Condition 1: no reply to CNSRREQ of condition 1 (search_type 1) within {Settings.RequestTimeout:c} (actorfeed.connection.request-timeout); still followed, requesting it again in {delay:c} (attempt {attempt})");
            AdvanceOverLateReplyWindow(delay);
            delays.Add(delay);
        }
        Assert.Equal([1, 2, 4, 8, 8], delays.Select(d => d.TotalSeconds / Settings.BackoffMin.TotalSeconds));
        AnswerRealtime(t2, 1, "000660");                                  // answered at last: the outage's changes, once
        var left = me.ExpectMsg<ConditionLeft>();
        Assert.Equal(("005930", true), (left.Code, left.Recovered));
        Assert.True(me.ExpectMsg<ConditionEntered>().Recovered);
        me.ExpectNoMsg(Quiet);                                            // never rejected
        Events.ExpectNoDecision(FeedComponent.Connection, TimeSpan.Zero);
    }

    /// <summary>Moves virtual time over the request timeout of <paramref name="request"/>, just sent: nothing before; then
    /// the connection's warning (the request dropped, the link kept), and (unless null) the conditions actor's warning,
    /// which it logs once its retry timer runs.</summary>
    private void TimeOutExpecting(string request, string? conditionsWarning)
    {
        var connectionWarning = $"No reply to {request} within {Settings.RequestTimeout}: dropped, the link lives on";
        Scheduler.Advance(Settings.RequestTimeout - TimeSpan.FromMilliseconds(1));
        Wire.ExpectNoMsg(Quiet);
        EventFilter.Warning(contains: connectionWarning).ExpectOne(() =>
        {
            if (conditionsWarning is null) Scheduler.Advance(TimeSpan.FromMilliseconds(1));
            else EventFilter.Warning(contains: conditionsWarning).ExpectOne(() => Scheduler.Advance(TimeSpan.FromMilliseconds(1)));
        });
        Events.ExpectNoDecision(FeedComponent.Connection, TimeSpan.Zero);
    }

    private static string Page(int seq, bool more, string key, string code) =>
        $$"""{"trnm":"CNSRREQ","seq":"{{seq}}","return_code":0,"cont_yn":"{{(more ? "Y" : "N")}}","next_key":"{{key}}","data":[{"jmcode":"A{{code}}"}]}""";

    [Fact]
    public void A_late_reply_to_a_dropped_page_must_be_discarded_not_taken_for_the_first_page_asked_again()
    {
        Settings = Settings with { IdleTimeout = TimeSpan.FromHours(1) };
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        feed.Tell(new SearchCondition(1));
        AnswerList(t, 1);
        Assert.Contains("\"cont_yn\":\"N\"", NextSent(t));
        t.Push(Page(1, more: true, "K2", "005930"));
        Assert.Contains("\"next_key\":\"K2\"", NextSent(t));             // page 2: its reply comes late
        TimeOutExpecting("CNSRREQ of condition 1 (search_type 0)", "asking once more in 00:00:01");
        EventFilter.Info(contains: "CNSRREQ of condition 1 (search_type 0) held for at most").ExpectOne(() =>
            AdvanceExpectingNothingBefore(Settings.BackoffMin, Wire));    // page 1 asked again: it waits for the late reply
        EventFilter.Warning(contains: "Discarded the late reply to CNSRREQ of condition 1 (search_type 0) (page next_key K2)").ExpectOne(() =>
            t.Push(Page(1, more: true, "K3", "000660")));
        Assert.Contains("\"cont_yn\":\"N\"", NextSent(t));                // then page 1 goes
        t.Push(Page(1, more: true, "K2", "005930"));
        Assert.Contains("\"next_key\":\"K2\"", NextSent(t));
        t.Push(Page(1, more: true, "K3", "000660"));
        Assert.Contains("\"next_key\":\"K3\"", NextSent(t));
        t.Push(Page(1, more: false, "", "035420"));
        Assert.Equal(["005930", "000660", "035420"], ExpectMsg<ConditionSearchResult>().Codes);   // every page, from the first
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public void A_late_real_time_reply_must_not_answer_a_one_shot_search_of_the_same_seq()
    {
        Settings = Settings with { IdleTimeout = TimeSpan.FromHours(1) };
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, me));
        AnswerList(t1, 1);
        AnswerRealtime(t1, 1, "005930", "000660", "035420");
        me.ExpectMsg<ConditionSnapshot>();
        var t2 = Reconnect(t1);
        AnswerList(t2, 1);
        Assert.Contains("\"search_type\":\"1\"", NextSent(t2));           // its reply comes late
        feed.Tell(new SearchCondition(1));                                // a one-shot search right behind it
        Wire.ExpectNoMsg(Quiet);
        EventFilter.Info(contains: "CNSRREQ of condition 1 (search_type 0) held for at most").ExpectOne(() =>
            TimeOutExpecting("CNSRREQ of condition 1 (search_type 1)", "requesting it again in 00:00:01"));
        Wire.ExpectNoMsg(Quiet);                                          // the one-shot waits
        EventFilter.Warning(contains: "Discarded the late reply to CNSRREQ of condition 1 (search_type 1)").ExpectOne(() =>
            t2.Push(Members(1, "005930", "000660", "035420")));
        Assert.Contains("\"search_type\":\"0\"", NextSent(t2));
        t2.Push(Members(1, "005930"));                                    // the one-shot's own answer
        Assert.Equal(["005930"], ExpectMsg<ConditionSearchResult>().Codes);
        AdvanceExpectingNothingBefore(Settings.BackoffMin, Wire);         // the real-time retry: its late reply came, nothing waits
        AnswerRealtime(t2, 1, "005930", "000660", "035420");
        me.ExpectNoMsg(Quiet);                                            // nobody left, nobody entered
        Assert.Equal(FollowedConditionState.Live, Condition(feed).State);
    }

    [Fact]
    public void A_condition_followed_again_under_the_same_seq_must_ignore_the_reply_and_pushes_of_the_earlier_one()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, a));
        AnswerList(t, 1);
        Assert.Contains("\"search_type\":\"1\"", NextSent(t));            // not answered yet
        feed.Tell(new UnsubscribeCondition(1, a));
        a.ExpectMsg<ConditionUnsubscribed>();
        feed.Tell(new SubscribeCondition(1, b));                          // followed anew: CNSRCLR, then CNSRREQ again
        Assert.Equal(FollowedConditionState.Requesting, Condition(feed).State);
        t.Push(Members(1, "005930", "000660"));                           // the earlier one's reply
        Assert.Equal("""{"trnm":"CNSRCLR","seq":"1"}""", NextSent(t));
        t.Push(Change(1, "035420", entered: true));                       // still the earlier registration's push
        t.Push("""{"trnm":"CNSRCLR","seq":"1","return_code":0,"return_msg":""}""");
        AnswerRealtime(t, 1, "000660");
        Assert.Equal(["000660"], b.ExpectMsg<ConditionSnapshot>().Codes);
        t.Push(Change(1, "051910", entered: true));                       // its own push
        Assert.Equal("051910", b.ExpectMsg<ConditionEntered>().Code);
        b.ExpectNoMsg(Quiet);
        a.ExpectNoMsg(TimeSpan.Zero);
    }

    [Fact]
    public void A_condition_refused_after_a_request_without_reply_must_show_retrying_and_still_be_cleared_when_it_ends()
    {
        Settings = Settings with { IdleTimeout = TimeSpan.FromHours(1) };
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, me));
        AnswerList(t1, 1);
        AnswerRealtime(t1, 1, "005930");
        me.ExpectMsg<ConditionSnapshot>();
        var t2 = Reconnect(t1);
        AnswerList(t2, 1);
        Assert.Contains("\"search_type\":\"1\"", NextSent(t2));           // never answered: the server may have it
        TimeOutExpecting("CNSRREQ of condition 1 (search_type 1)", "requesting it again in 00:00:01");
        var c = Condition(feed);
        Assert.Equal((FollowedConditionState.Retrying, Time.GetUtcNow() + Settings.BackoffMin), (c.State, c.NextRetryAt));
        Assert.StartsWith($"no reply to CNSRREQ of condition 1 (search_type 1) within {Settings.RequestTimeout:c}", c.LastError);
        AdvanceOverLateReplyWindow(Settings.BackoffMin);
        c = Condition(feed);
        Assert.Equal((FollowedConditionState.Recovering, (DateTimeOffset?)null), (c.State, c.NextRetryAt));   // asked again
        Assert.NotNull(c.LastError);
        Assert.Contains("\"search_type\":\"1\"", NextSent(t2));
        EventFilter.Warning(contains: "Condition 1: server refused CNSRREQ of condition 1 (search_type 1)").ExpectOne(() =>
            t2.Push("""{"trnm":"CNSRREQ","seq":"1","return_code":100,"return_msg":"조건검색 요청 실패"}"""));
        c = Condition(feed);
        Assert.Equal((FollowedConditionState.Retrying, Time.GetUtcNow() + 2 * Settings.BackoffMin), (c.State, c.NextRetryAt));
        Assert.Contains("조건검색 요청 실패", c.LastError);
        feed.Tell(new UnsubscribeCondition(1, me));
        me.ExpectMsg<ConditionUnsubscribed>();
        Assert.Equal("""{"trnm":"CNSRCLR","seq":"1"}""", NextSent(t2));   // the first CNSRREQ may be active on the server
        EventFilter.Warning(contains: "CNSRCLR of condition 1 refused by the server").ExpectOne(() =>   // it was not: logged
            t2.Push("""{"trnm":"CNSRCLR","seq":"1","return_code":1,"return_msg":"조건검색 해제 실패"}"""));
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);
    }

    [Fact]
    public void A_one_shot_search_without_reply_must_be_asked_once_more_on_a_new_connection_too()
    {
        Settings = Settings with { IdleTimeout = TimeSpan.FromHours(1) };
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        feed.Tell(new SearchCondition(2));
        AnswerList(t1, 2);
        Assert.Contains("\"search_type\":\"0\"", NextSent(t1));
        TimeOutExpecting("CNSRREQ of condition 2 (search_type 0)", "asking once more in 00:00:01");
        var t2 = Reconnect(t1);                                           // sent again on the new connection
        AnswerList(t2, 2);
        Assert.Contains("\"search_type\":\"0\"", NextSent(t2));
        TimeOutExpecting("CNSRREQ of condition 2 (search_type 0)", "asking once more in 00:00:01");   // its own retry here
        AdvanceOverLateReplyWindow(Settings.BackoffMin);
        Assert.Contains("\"search_type\":\"0\"", NextSent(t2));
        t2.Push(Members(2, "005930"));
        Assert.Equal(["005930"], ExpectMsg<ConditionSearchResult>().Codes);
    }

    [Fact]
    public void CNSRLST_without_reply_must_be_asked_once_more_on_every_connection()
    {
        Settings = Settings with { IdleTimeout = TimeSpan.FromHours(1) };
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, me));
        Assert.Equal("""{"trnm":"CNSRLST"}""", NextSent(t1));
        TimeOutExpecting("CNSRLST", "asking once more; asking CNSRLST again in 00:00:01 (attempt 1)");
        var t2 = Reconnect(t1);
        Assert.Equal("""{"trnm":"CNSRLST"}""", NextSent(t2));
        TimeOutExpecting("CNSRLST", "asking once more; asking CNSRLST again in 00:00:02 (attempt 2)");   // the first on this connection
        me.ExpectNoMsg(Quiet);                                            // not rejected
        AdvanceOverLateReplyWindow(2 * Settings.BackoffMin);
        AnswerList(t2, 1);
        AnswerRealtime(t2, 1, "005930");
        Assert.Equal(["005930"], me.ExpectMsg<ConditionSnapshot>().Codes);
    }

    [Fact]
    public void A_truncated_real_time_reply_must_add_its_codes_and_remove_none()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var me = CreateTestProbe();
        feed.Tell(new SubscribeCondition(1, me));
        AnswerList(t1, 1);
        AnswerRealtime(t1, 1, "005930", "000660");
        me.ExpectMsg<ConditionSnapshot>();
        var t2 = Reconnect(t1);
        AnswerList(t2, 1);
        Assert.Contains("\"search_type\":\"1\"", NextSent(t2));
        EventFilter.Warning(start: "Condition 1: the real-time CNSRREQ reply says more pages follow (cont_yn Y)").ExpectOne(() =>
            t2.Push("""{"trnm":"CNSRREQ","seq":"1","return_code":0,"cont_yn":"Y","next_key":"P2","data":[{"jmcode":"A000660"},{"jmcode":"A035420"}]}"""));
        var entered = me.ExpectMsg<ConditionEntered>();
        Assert.Equal(("035420", true), (entered.Code, entered.Recovered));
        me.ExpectNoMsg(Quiet);                                            // 005930 may be on the page not sent: it did not leave
        Assert.Equal(["005930", "000660", "035420"], Condition(feed).Members);
    }

    /// <summary>Moves virtual time over <paramref name="backoff"/> (a retry, just scheduled after a request timed out, is
    /// asked again: the connection holds it, since the late reply of the dropped request may still come) and then to the
    /// end of the late-reply window (twice the request timeout after the drop), expecting nothing sent before.</summary>
    private void AdvanceOverLateReplyWindow(TimeSpan backoff)
    {
        EventFilter.Info(contains: "held for at most").ExpectOne(() => AdvanceExpectingNothingBefore(backoff, Wire));
        AdvanceExpectingNothingBefore(2 * Settings.RequestTimeout - backoff, Wire);
    }

    /// <summary>The server drops <paramref name="t"/>; the next connection after the restart backoff.</summary>

    private FakeTransport Reconnect(FakeTransport t)
    {
        t.ServerClose(WebSocketCloseStatus.EndpointUnavailable, "restart");
        var decision = ExpectDecision(FeedComponent.Connection);
        AdvanceExpectingNothingBefore(decision.Delay, Wire);
        return AcceptConnection().Transport;
    }

    [Fact]
    public void A_condition_driving_ticks_must_hold_its_members_ref_counted_with_the_host_own_subscription()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        SubscribeConfirmed(feed, t, me, "005930");                       // the host's own subscription
        feed.Tell(new SubscribeCondition(1, me, ["0B"]));
        AnswerList(t, 1);
        AnswerRealtime(t, 1, "005930", "000660");
        me.FishForMessage(m => m is ConditionSnapshot);
        Assert.Equal(["000660"], Items(ExpectSent(t, "REG")));            // 005930 is registered already
        t.Push(RegOk);
        me.FishForMessage(m => m is SubscriptionConfirmed { Code: "000660" });

        t.Push(Change(1, "005930", entered: false));                     // the condition releases 005930: the host keeps it
        me.FishForMessage(m => m is ConditionLeft { Code: "005930" });
        t.Push(Real("005930"));
        Assert.Equal("005930", me.FishForMessage<Tick>(_ => true).Code);
        t.Push(Change(1, "000660", entered: false));                     // released by its only holder: REMOVE
        me.FishForMessage(m => m is ConditionLeft { Code: "000660" });
        var remove = ExpectSent(t, "REMOVE");
        Assert.Equal(["000660"], Items(remove));
        t.Push(RemoveOk);

        t.Push(Change(1, "035420", entered: true));                      // the other way round: the host's Unsubscribe
        Assert.Equal(["035420"], Items(ExpectSent(t, "REG")));            // does not undo the condition's hold
        t.Push(RegOk);
        me.FishForMessage(m => m is SubscriptionConfirmed { Code: "035420" });
        feed.Tell(new Subscribe("035420", "0B", me));
        me.FishForMessage(m => m is SubscriptionConfirmed { Code: "035420" });
        feed.Tell(new Unsubscribe("035420", "0B", me));
        me.FishForMessage(m => m is SubscriptionRemoved { Code: "035420" });
        t.Push(Real("035420"));
        Assert.Equal("035420", me.FishForMessage<Tick>(_ => true).Code);   // ticks go on: the condition holds it

        feed.Tell(new UnsubscribeCondition(1, me));                      // leaving releases every hold
        me.FishForMessage(m => m is ConditionUnsubscribed);
        var frames = new[] { NextSent(t), NextSent(t) };
        Assert.Contains(frames, f => f.Contains("CNSRCLR"));
        Assert.Contains(frames, f => f.Contains("REMOVE") && f.Contains("035420"));
        feed.Tell(GetFeedStatus.Instance);
        Assert.Equal(1, ExpectMsg<FeedStatus>().DesiredSubscriptions);    // the host's own 005930 only
    }

    private ConditionStatus Conditions(IActorRef feed, int maxMembers = 20)
    {
        var me = CreateTestProbe();
        feed.Tell(new GetConditionStatus(maxMembers), me);
        return me.ExpectMsg<ConditionStatus>();
    }

    private FollowedCondition Condition(IActorRef feed, int maxMembers = 20) => Assert.Single(Conditions(feed, maxMembers).Conditions);

    [Fact]
    public void GetConditionStatus_must_report_each_followed_condition_through_its_request_live_changes_an_outage_and_the_recovery()
    {
        var feed = StartFeed();
        var a = CreateTestProbe();
        var b = CreateTestProbe();
        Assert.Empty(Conditions(feed).Conditions);
        feed.Tell(new SubscribeCondition(1, a));
        feed.Tell(new SubscribeCondition(1, b, ["0D", "0B"]));
        var c = Condition(feed);                                        // not connected yet
        Assert.Equal((1, "", FollowedConditionState.WaitingForConnection, 0, 2), (c.Seq, c.Name, c.State, c.MemberCount, c.Subscribers));
        Assert.Equal(["0B", "0D"], c.TickTypes);                        // the union over the subscribers, sorted
        Assert.Equal(((ConditionMemberChange?)null, 0L, 0L), (c.LastChange, c.Changes, c.RecoveredChanges));
        Assert.Empty(c.Members);
        feed.Tell(new UnsubscribeCondition(1, b));                      // (its tick types would REG every member below)
        b.ExpectMsg<ConditionUnsubscribed>();
        c = Condition(feed);
        Assert.Equal(1, c.Subscribers);
        Assert.Empty(c.TickTypes);

        var (t1, _) = AcceptConnection();
        ExpectSent(t1, "CNSRLST");
        Assert.Equal(FollowedConditionState.Requesting, Condition(feed).State);
        t1.Push(ListReply(1));
        ExpectSent(t1, "CNSRREQ");
        t1.Push(Members(1, "005930", "000660", "035420"));
        a.ExpectMsg<ConditionSnapshot>();
        c = Condition(feed, maxMembers: 2);
        Assert.Equal(("조건1", FollowedConditionState.Live, 3, 0L), (c.Name, c.State, c.MemberCount, c.Changes));   // the snapshot is no change
        Assert.Equal(["005930", "000660"], c.Members);                  // bounded, in the server's order
        Assert.Empty(Condition(feed, maxMembers: -1).Members);

        t1.Push(Change(1, "051910", entered: true, time: "093015"));
        var entered = a.ExpectMsg<ConditionEntered>();
        c = Condition(feed);
        Assert.Equal((4, 1L, 0L), (c.MemberCount, c.Changes, c.RecoveredChanges));
        Assert.Equal(new ConditionMemberChange("051910", Entered: true, entered.At, Recovered: false), c.LastChange);
        Assert.Equal(["005930", "000660", "035420", "051910"], c.Members);

        t1.ServerClose(WebSocketCloseStatus.EndpointUnavailable, "restart");
        var decision = ExpectDecision(FeedComponent.Connection);
        AwaitAssert(() => Assert.Equal(FollowedConditionState.WaitingForConnection, Condition(feed).State));
        Scheduler.Advance(decision.Delay);
        var (t2, _) = AcceptConnection();
        ExpectSent(t2, "CNSRLST");
        c = Condition(feed);
        Assert.Equal((FollowedConditionState.Recovering, 4), (c.State, c.MemberCount));    // the members last known, asked again
        t2.Push(ListReply(1));
        ExpectSent(t2, "CNSRREQ");
        t2.Push(Members(1, "000660", "035420", "051910", "068270"));     // 005930 left, 068270 entered meanwhile
        a.ExpectMsg<ConditionLeft>();
        var recovered = a.ExpectMsg<ConditionEntered>();
        c = Condition(feed);
        Assert.Equal((FollowedConditionState.Live, 4, 3L, 2L), (c.State, c.MemberCount, c.Changes, c.RecoveredChanges));
        Assert.Equal(new ConditionMemberChange("068270", Entered: true, recovered.At, Recovered: true), c.LastChange);

        feed.Tell(new UnsubscribeCondition(1, a));
        a.ExpectMsg<ConditionUnsubscribed>();
        Assert.Empty(Conditions(feed).Conditions);                       // no subscriber left: no longer followed
    }
}
