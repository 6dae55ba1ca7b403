using System.Net.WebSockets;
using Akka.Actor;
using ActorFeed.Messages;
using ActorFeed.Testing.Fakes;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>The link rows of DESIGN.md's failure table, driven through the whole actor tree on fakes.</summary>
public sealed class ConnectionFailureSpec(ITestOutputHelper output) : FeedSpecBase(output)
{
    [Fact]
    public void Feed_must_log_in_with_the_raw_token_and_register_a_subscription()
    {
        StartFeed();
        var (t, token) = AcceptConnection();
        Assert.StartsWith("token-", token);
        var subscriber = CreateTestProbe();
        Sys.ActorSelection("/user/actorfeed").Tell(new Subscribe("005930", "0B", subscriber));
        var reg = ExpectSent(t, "REG");
        Assert.Equal(["005930"], Items(reg));
        Assert.Contains("\"grp_no\":\"1\"", reg);
        Assert.Contains("\"refresh\":\"1\"", reg);
        Assert.Contains("\"type\":[\"0B\"]", reg);
        t.Push(RegOk);
        subscriber.ExpectMsg(new SubscriptionConfirmed("005930", "0B"));
        t.Push(Real("005930"));
        var tick = subscriber.ExpectMsg<Tick>();
        Assert.Equal("005930", tick.Code);
        Assert.Equal(20800m, tick.Price);
        Assert.Equal("-20800", tick.Values["10"]);
    }

    [Fact]
    public void Connection_must_restart_with_backoff_log_in_again_and_replay_after_the_server_closes()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var subscriber = CreateTestProbe();
        SubscribeConfirmed(feed, t1, subscriber, "005930");
        SubscribeConfirmed(feed, t1, subscriber, "000660");

        t1.ServerClose(WebSocketCloseStatus.NormalClosure, "bye");
        var decision = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FeedFailureException.Causes.ServerClosed, decision.Cause);
        Assert.Equal(1, decision.Attempt);
        Assert.Equal(TimeSpan.FromSeconds(1), decision.Delay);
        var status = ExpectState(FeedState.Reconnecting);
        Assert.Equal(FeedFailureException.Causes.ServerClosed, status.Cause);
        Assert.NotNull(status.NextRetryAt);

        AdvanceExpectingNothingBefore(decision.Delay, Wire);          // no reconnect before the backoff
        var (t2, _) = AcceptConnection();
        var replay = ExpectSent(t2, "REG");
        Assert.Equal(["005930", "000660"], Items(replay).Order().Reverse().ToArray());
        t2.Push(RegOk);
        // confirmed again silently: the subscriber was told once; the first tick after brings the gap
        t2.Push(Real("000660"));
        Assert.Equal("000660", subscriber.ExpectMsg<SubscriptionGap>().Code);
        Assert.Equal("000660", subscriber.ExpectMsg<Tick>().Code);
        feed.Tell(GetFeedStatus.Instance);
        var s = ExpectMsg<FeedStatus>();
        Assert.Equal(FeedState.Connected, s.State);
        Assert.Equal(2, s.DesiredSubscriptions);
        Assert.Equal(2, s.ConfirmedSubscriptions);
    }

    [Fact]
    public void Connection_must_fail_with_keepalive_timeout_when_the_idle_watchdog_sees_no_frame()
    {
        StartFeed();
        var (t, _) = AcceptConnection();
        var half = Settings.IdleTimeout / 2;
        void Check(int silent) => EventFilter.Debug(start: $"Idle check: {silent} silent").ExpectOne(() => Scheduler.Advance(half));
        Check(0);                                    // check 1: the LOGIN reply was a frame
        t.Push("""{"trnm":"PING"}""");
        Assert.Equal("""{"trnm":"PING"}""", ExpectSent(t, "PING"));
        Check(0);                                    // check 2: the PING was a frame
        Check(1);                                    // check 3: first silent period
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);   // one silent check is not enough
        Scheduler.Advance(half);                     // check 4: silent for the whole idle timeout
        var decision = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FeedFailureException.Causes.KeepAliveTimeout, decision.Cause);
        Assert.Equal(FeedFailureException.Causes.KeepAliveTimeout, ExpectState(FeedState.Reconnecting).Cause);
        Assert.True(t.Aborted);
    }

    [Fact]
    public void Connection_must_report_keepalive_timeout_when_the_pending_receive_is_cancelled_by_a_missing_pong()
    {
        StartFeed();
        var (t, _) = AcceptConnection();
        t.Fail(new OperationCanceledException("The operation was canceled."));
        Assert.Equal(FeedFailureException.Causes.KeepAliveTimeout, ExpectDecision(FeedComponent.Connection).Cause);
    }

    [Fact]
    public void Connection_must_report_connection_lost_on_a_tcp_reset()
    {
        StartFeed();
        var (t, _) = AcceptConnection();
        t.Fail(new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The remote party closed the WebSocket connection without completing the close handshake."));
        var decision = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FeedFailureException.Causes.ConnectionLost, decision.Cause);
        Assert.Contains("without completing the close handshake", decision.Detail);
    }

    [Fact]
    public void Connection_must_give_up_a_connect_that_does_not_finish_within_the_connect_timeout()
    {
        Server.HangOnConnect = true;
        StartFeed();
        var t = Wire.ExpectMsg<TransportCreated>().Transport;
        Wire.ExpectMsg<ConnectCalled>();
        Scheduler.Advance(Settings.ConnectTimeout - TimeSpan.FromMilliseconds(1));
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);
        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(FeedFailureException.Causes.ConnectTimeout, ExpectDecision(FeedComponent.Connection).Cause);
        Assert.True(t.Aborted);
        Server.HangOnConnect = false;
        AdvanceExpectingNothingBefore(Settings.BackoffMin, Wire);
        AcceptConnection();
    }

    [Fact]
    public void Connection_must_fail_when_LOGIN_is_not_answered_in_time()
    {
        StartFeed();
        var t = Wire.ExpectMsg<TransportCreated>().Transport;
        ExpectSent(t, "LOGIN");
        Scheduler.Advance(Settings.LoginTimeout - TimeSpan.FromMilliseconds(1));
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);
        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(FeedFailureException.Causes.LoginTimeout, ExpectDecision(FeedComponent.Connection).Cause);
    }

    [Fact]
    public void Connection_must_get_a_new_token_and_log_in_again_when_LOGIN_says_CODE_8005()
    {
        StartFeed();
        var (t1, first) = AcceptConnection();
        t1.ServerClose(WebSocketCloseStatus.NormalClosure);
        AdvanceExpectingNothingBefore(ExpectDecision(FeedComponent.Connection).Delay, Wire);
        var t2 = Wire.ExpectMsg<TransportCreated>().Transport;
        Assert.Contains(first, ExpectSent(t2, "LOGIN"));
        t2.Push("""{"trnm":"LOGIN","return_code":805004,"return_msg":"토큰 인증에 실패했습니다. 접속을 종료합니다 [CODE=8005, MESSAGE=Token이 유효하지 않습니다]"}""");
        var decision = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FeedFailureException.Causes.TokenRejected, decision.Cause);
        Assert.Equal(FailureKind.Transient, decision.Kind);
        Assert.Equal(FeedFailureException.Causes.TokenRejected, ExpectState(FeedState.Reconnecting).Cause);
        TokenCalls.FishForMessage(m => m is TokenIssued i && i.Token != first && i.Token.StartsWith("token-"));
        AdvanceExpectingNothingBefore(decision.Delay, Wire);
        var (_, second) = AcceptConnection();
        Assert.NotEqual(first, second);
        AssertNoSecretLogged(first, second);
    }

    [Fact]
    public void Feed_must_back_off_slowly_and_say_so_when_another_process_uses_the_app_key()
    {
        StartFeed();
        var (t, _) = AcceptConnection();
        EventFilter.Error(contains: "another process uses this app key").ExpectOne(() =>
            t.Push("""{"trnm":"SYSTEM","code":"R10001","message":"동일한 App key로 접속이 되었습니다. 기존 세션은 종료가 됩니다"}"""));
        var decision = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FailureKind.Permanent, decision.Kind);
        Assert.Equal(Settings.PermanentFailureBackoff, decision.Delay);
        var status = ExpectState(FeedState.Failed);
        Assert.True(status.IsPermanentFailure);
        Assert.Equal(FeedFailureException.Causes.DuplicateSession, status.Cause);
        AdvanceExpectingNothingBefore(decision.Delay, Wire);
        AcceptConnection();
    }

    [Fact]
    public void Supervision_decision_must_write_one_structured_log_line_with_component_cause_attempt_and_delay()
    {
        StartFeed();
        var (t, token) = AcceptConnection();
        EventFilter.Warning(contains: "Supervision: connection failed (server closed the connection); restart attempt 1 in 00:00:01")
            .ExpectOne(() => t.ServerClose(WebSocketCloseStatus.InternalServerError, "boom"));
        AssertNoSecretLogged(token);
    }

    [Fact]
    public void Backoff_must_grow_to_the_maximum_and_reset_only_after_the_link_was_stable()
    {
        StartFeed();
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 5; i++)
        {
            var (t, _) = AcceptConnection();
            t.ServerClose(WebSocketCloseStatus.NormalClosure);   // accepted, then dropped at once
            var d = ExpectDecision(FeedComponent.Connection);
            Assert.Equal(i + 1, d.Attempt);
            delays.Add(d.Delay);
            AdvanceExpectingNothingBefore(d.Delay, Wire);
        }
        Assert.Equal([1, 2, 4, 8, 8], delays.Select(d => (int)d.TotalSeconds));

        var (stable, _) = AcceptConnection();
        EventFilter.Info(contains: "backoff reset").ExpectOne(() => Scheduler.Advance(Settings.BackoffResetAfter));
        stable.ServerClose(WebSocketCloseStatus.NormalClosure);
        var after = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(1, after.Attempt);
        Assert.Equal(Settings.BackoffMin, after.Delay);
    }
}
