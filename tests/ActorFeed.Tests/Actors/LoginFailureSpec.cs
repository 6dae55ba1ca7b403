using System.Net.WebSockets;
using System.Text.Json;
using ActorFeed.Messages;
using ActorFeed.Testing.Fakes;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>
/// LOGIN refusals, classified by their fine code in either envelope: a token refused (8005 ...), the mode (8031) or the
/// device (8103) gets one new token and one more LOGIN, then is permanent until a LOGIN succeeds again; other
/// credentials / mode / device codes are permanent at once; a rate limit is transient with the same token.
/// </summary>
public sealed class LoginFailureSpec(ITestOutputHelper output) : FeedSpecBase(output)
{
    private const string Coarse8005 = """{"trnm":"LOGIN","return_code":805004,"return_msg":"토큰 인증에 실패했습니다. 접속을 종료합니다 [CODE=8005, MESSAGE=Token이 유효하지 않습니다]"}""";
    private const string Fine8005 = """{"trnm":"LOGIN","return_code":"8005","return_msg":"Token이 유효하지 않습니다"}""";
    private const string Fine8031 = """{"trnm":"LOGIN","return_code":8031,"return_msg":"실전/모의투자 구분이 일치하지 않습니다"}""";
    private const string Coarse8103 = """{"trnm":"LOGIN","return_code":810304,"return_msg":"로그인에 실패했습니다. 접속을 종료합니다 [CODE=8103, MESSAGE=단말기 인증에 실패했습니다]"}""";

    [Theory]
    [InlineData(Coarse8005, FeedFailureException.Causes.TokenRejected, FeedFailureException.Causes.TokenRefused, true)]
    [InlineData(Fine8005, FeedFailureException.Causes.TokenRejected, FeedFailureException.Causes.TokenRefused, true)]
    [InlineData(Fine8031, FeedFailureException.Causes.LoginRejected, FeedFailureException.Causes.BadCredentials, false)]
    [InlineData(Coarse8103, FeedFailureException.Causes.LoginRejected, FeedFailureException.Causes.BadCredentials, false)]
    public void LOGIN_refused_twice_must_retry_once_with_a_new_token_then_fail_permanently(string refusal, string retryCause, string permanentCause, bool tokenCode)
    {
        StartFeed();
        var first = TokenCalls.ExpectMsg<TokenIssued>().Token;
        var (t1, sent1) = LoginSent();
        Assert.Equal(first, sent1);
        t1.Push(refusal);
        var retry = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(retryCause, retry.Cause);
        Assert.Equal(FailureKind.Transient, retry.Kind);
        Assert.Equal(Settings.BackoffMin, retry.Delay);
        Assert.Equal(retryCause, ExpectState(FeedState.Reconnecting).Cause);
        var second = TokenCalls.ExpectMsg<TokenIssued>().Token;                 // the one re-issue
        Assert.NotEqual(first, second);

        AdvanceExpectingNothingBefore(retry.Delay, Wire);
        var (t2, sent2) = LoginSent();
        Assert.Equal(second, sent2);
        SupervisionDecision permanent = null!;
        EventFilter.Error(contains: $"connection failed ({permanentCause})").ExpectOne(() =>
        {
            t2.Push(refusal);                                                   // refused again right after the re-issue
            permanent = ExpectDecision(FeedComponent.Connection);
        });
        Assert.Equal(permanentCause, permanent.Cause);
        Assert.Equal(FailureKind.Permanent, permanent.Kind);
        Assert.Equal(Settings.PermanentFailureBackoff, permanent.Delay);
        Assert.Contains("again after a new token was issued", permanent.Detail);
        var status = ExpectState(FeedState.Failed);
        Assert.True(status.IsPermanentFailure);
        Assert.Equal(permanentCause, status.Cause);

        // a token the server calls invalid is not offered again; a mode / device refusal keeps the token
        var next = tokenCode ? TokenCalls.ExpectMsg<TokenIssued>().Token : second;
        if (!tokenCode) TokenCalls.ExpectNoMsg(Quiet);
        AdvanceExpectingNothingBefore(permanent.Delay, Wire);                  // the next LOGIN only after the long backoff
        var (_, sent3) = AcceptConnection();
        Assert.Equal(next, sent3);
        AssertNoSecretLogged(first, second, next);
    }

    [Fact]
    public void LOGIN_refused_for_the_token_later_in_the_session_must_get_its_free_retry_again()
    {
        StartFeed();
        TokenCalls.ExpectMsg<TokenIssued>();
        var (t1, _) = LoginSent();
        t1.Push(Coarse8005);
        var retry = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FeedFailureException.Causes.TokenRejected, retry.Cause);
        Scheduler.Advance(retry.Delay);
        var (t2, second) = AcceptConnection();                                 // the retry with the new token succeeds
        Assert.Equal(second, TokenCalls.ExpectMsg<TokenIssued>().Token);

        t2.ServerClose(WebSocketCloseStatus.NormalClosure);
        Scheduler.Advance(ExpectDecision(FeedComponent.Connection).Delay);
        var (t3, sent) = LoginSent();
        Assert.Equal(second, sent);
        t3.Push(Coarse8005);                                                    // the token expired later on
        var again = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FeedFailureException.Causes.TokenRejected, again.Cause);
        Assert.Equal(FailureKind.Transient, again.Kind);
        var third = TokenCalls.ExpectMsg<TokenIssued>().Token;                 // a new token, not a permanent failure
        Assert.NotEqual(second, third);
        Scheduler.Advance(again.Delay);
        var (_, relogin) = AcceptConnection();
        Assert.Equal(third, relogin);
    }

    [Fact]
    public void LOGIN_refused_again_after_a_link_failure_in_between_must_still_be_permanent()
    {
        StartFeed();
        var (t1, _) = LoginSent();
        t1.Push(Fine8005);
        Scheduler.Advance(ExpectDecision(FeedComponent.Connection).Delay);
        var (t2, _) = LoginSent();
        t2.ServerClose(WebSocketCloseStatus.NormalClosure);                   // no LOGIN reply: no success in between
        Scheduler.Advance(ExpectDecision(FeedComponent.Connection).Delay);
        var (t3, _) = LoginSent();
        t3.Push(Fine8005);
        var decision = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FailureKind.Permanent, decision.Kind);
        Assert.Equal(FeedFailureException.Causes.TokenRefused, decision.Cause);
    }

    [Theory]
    [InlineData("""{"trnm":"LOGIN","return_code":8001,"return_msg":"App Key와 Secret Key 검증에 실패했습니다"}""")]
    [InlineData("""{"trnm":"LOGIN","return_code":800104,"return_msg":"로그인에 실패했습니다. 접속을 종료합니다 [CODE=8001, MESSAGE=App Key와 Secret Key 검증에 실패했습니다]"}""")]
    [InlineData("""{"trnm":"LOGIN","return_code":3,"return_msg":"인증에 실패했습니다[8030:실전/모의투자 구분이 일치하지 않습니다]"}""")]
    [InlineData("""{"trnm":"LOGIN","return_code":"8040","return_msg":"허용되지 않은 IP입니다"}""")]
    public void LOGIN_refused_for_credentials_mode_or_device_must_fail_permanently_at_once_with_the_same_token(string refusal)
    {
        StartFeed();
        TokenCalls.ExpectMsg<TokenIssued>();
        var (t, token) = LoginSent();
        SupervisionDecision decision = null!;
        EventFilter.Error(contains: "connection failed (bad credentials)").ExpectOne(() =>
        {
            t.Push(refusal);
            decision = ExpectDecision(FeedComponent.Connection);
        });
        Assert.Equal(FailureKind.Permanent, decision.Kind);
        Assert.Equal(Settings.PermanentFailureBackoff, decision.Delay);
        Assert.Equal(1, decision.Attempt);
        Assert.Equal(FeedState.Failed, ExpectState(FeedState.Failed).State);
        TokenCalls.ExpectNoMsg(Quiet);                                          // no token re-issued
        AdvanceExpectingNothingBefore(decision.Delay, Wire);
        var (_, again) = AcceptConnection();
        Assert.Equal(token, again);
    }

    [Fact]
    public void LOGIN_refused_for_the_request_rate_must_retry_with_backoff_and_the_same_token()
    {
        StartFeed();
        TokenCalls.ExpectMsg<TokenIssued>();
        var (t, token) = LoginSent();
        t.Push("""{"trnm":"LOGIN","return_code":5,"return_msg":"허용된 요청 개수를 초과하였습니다[1700:허용된 요청 개수를 초과하였습니다]"}""");
        var decision = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FeedFailureException.Causes.RateLimited, decision.Cause);
        Assert.Equal(FailureKind.Transient, decision.Kind);
        Assert.Equal(Settings.BackoffMin, decision.Delay);
        AdvanceExpectingNothingBefore(decision.Delay, Wire);
        var (_, again) = AcceptConnection();
        Assert.Equal(token, again);
        TokenCalls.ExpectNoMsg(Quiet);
    }

    /// <summary>The next transport and the token of the LOGIN sent on it (not answered yet).</summary>
    private (FakeTransport Transport, string Token) LoginSent()
    {
        var t = Wire.ExpectMsg<TransportCreated>().Transport;
        var token = JsonDocument.Parse(ExpectSent(t, "LOGIN")).RootElement.GetProperty("token").GetString()!;
        return (t, token);
    }
}
