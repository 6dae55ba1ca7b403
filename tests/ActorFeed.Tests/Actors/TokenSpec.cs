using ActorFeed.Messages;
using ActorFeed.Testing.Fakes;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>The token rows of the failure table, plus expiry and the same-token quirk.</summary>
public sealed class TokenSpec(ITestOutputHelper output) : FeedSpecBase(output)
{
    [Fact]
    public void Token_must_be_issued_again_before_it_expires()
    {
        Tokens.Lifetime = TimeSpan.FromHours(1);
        StartFeed();
        var first = TokenCalls.ExpectMsg<TokenIssued>().Token;
        AcceptConnection();
        var refreshIn = TimeSpan.FromHours(1) - Settings.TokenRefreshBeforeExpiry;
        AdvanceExpectingNothingBefore(refreshIn, TokenCalls, Time);   // not refreshed early
        var second = TokenCalls.ExpectMsg<TokenIssued>().Token;
        Assert.NotEqual(first, second);
        AssertNoSecretLogged(first, second);
    }

    [Fact]
    public void Token_must_revoke_and_issue_again_when_the_server_hands_back_the_expiring_token()
    {
        Tokens.Lifetime = TimeSpan.FromHours(1);
        StartFeed();
        var first = TokenCalls.ExpectMsg<TokenIssued>().Token;
        AcceptConnection();
        var expiresAt = Time.GetUtcNow() + TimeSpan.FromHours(1);
        Tokens.Next(() => new TokenIssue(first, expiresAt));          // still valid: same token, same expiry
        var refreshIn = TimeSpan.FromHours(1) - Settings.TokenRefreshBeforeExpiry;
        AdvanceExpectingNothingBefore(refreshIn, TokenCalls, Time);
        Assert.Equal(first, TokenCalls.ExpectMsg<TokenIssued>().Token);
        Assert.Equal(first, TokenCalls.ExpectMsg<TokenRevokedOnServer>().Token);
        Assert.NotEqual(first, TokenCalls.ExpectMsg<TokenIssued>().Token);
    }

    [Fact]
    public void Token_must_refresh_half_way_when_it_lives_shorter_than_the_refresh_margin()
    {
        Tokens.Lifetime = TimeSpan.FromMinutes(4);                      // shorter than refresh-before-expiry (10 min)
        StartFeed();
        TokenCalls.ExpectMsg<TokenIssued>();
        AcceptConnection();
        AdvanceExpectingNothingBefore(TimeSpan.FromMinutes(2), TokenCalls, Time);
        TokenCalls.ExpectMsg<TokenIssued>();
    }

    [Fact]
    public void Token_endpoint_down_must_back_off_show_Authenticating_and_recover()
    {
        Tokens.Next(() => throw new TokenRequestException(null, 500, "POST /oauth2/token answered HTTP 500"));
        Tokens.Next(() => throw new TokenRequestException(1700, 200, "POST /oauth2/token returned 1700: 허용된 요청 개수를 초과하였습니다"));
        StartFeed();
        var d1 = ExpectDecision(FeedComponent.Token);
        Assert.Equal(FeedFailureException.Causes.TokenService, d1.Cause);
        Assert.Equal(FailureKind.Transient, d1.Kind);
        Assert.Equal(Settings.TokenBackoffMin, d1.Delay);
        var status = ExpectState(FeedState.Authenticating);
        Assert.Equal(FeedFailureException.Causes.TokenService, status.Cause);
        Assert.NotNull(status.NextRetryAt);
        Assert.Equal("(failed)", TokenCalls.ExpectMsg<TokenIssued>().Token);

        AdvanceExpectingNothingBefore(d1.Delay, TokenCalls);          // no token request before the backoff
        Assert.Equal("(failed)", TokenCalls.ExpectMsg<TokenIssued>().Token);
        var d2 = ExpectDecision(FeedComponent.Token);
        Assert.Equal(FeedFailureException.Causes.RateLimited, d2.Cause);
        Assert.Equal(2, d2.Attempt);
        Assert.Equal(Settings.TokenBackoffMin * 2, d2.Delay);

        AdvanceExpectingNothingBefore(d2.Delay, TokenCalls);
        Assert.StartsWith("token-", TokenCalls.ExpectMsg<TokenIssued>().Token);
        Scheduler.Advance(Settings.TokenBackoffMin);                    // the connection asks again
        AcceptConnection();
    }

    [Fact]
    public void Bad_credentials_must_give_one_clear_error_and_a_long_backoff_not_a_storm()
    {
        Tokens.Next(() => throw new TokenRequestException(8001, 200, "POST /oauth2/token returned 8001: App Key와 Secret Key 검증에 실패했습니다"));
        Tokens.Next(() => throw new TokenRequestException(8001, 200, "POST /oauth2/token returned 8001: App Key와 Secret Key 검증에 실패했습니다"));
        SupervisionDecision d1 = null!;
        EventFilter.Error(contains: "token failed (bad credentials)").ExpectOne(() =>
        {
            StartFeed();
            d1 = ExpectDecision(FeedComponent.Token);
        });
        Assert.Equal(FailureKind.Permanent, d1.Kind);
        Assert.Equal(Settings.PermanentFailureBackoff, d1.Delay);
        var status = ExpectState(FeedState.Failed);
        Assert.True(status.IsPermanentFailure);
        Assert.Equal(FeedFailureException.Causes.BadCredentials, status.Cause);
        TokenCalls.ExpectMsg<TokenIssued>();                                  // the one failed request

        AdvanceExpectingNothingBefore(d1.Delay, TokenCalls);                 // the next try only after the long delay
        TokenCalls.ExpectMsg<TokenIssued>();
        var d2 = ExpectDecision(FeedComponent.Token);
        Assert.Equal(2, d2.Attempt);
        Assert.Equal(Settings.PermanentFailureBackoff, d2.Delay);
        AssertNoSecretLogged();
    }

    [Fact]
    public void Token_backoff_must_start_over_once_a_token_was_issued()
    {
        Tokens.Next(() => throw new TokenRequestException(null, 500, "POST /oauth2/token answered HTTP 500"));
        Tokens.Next(() => throw new TokenRequestException(null, 500, "POST /oauth2/token answered HTTP 500"));
        Tokens.Next(() => new TokenIssue(Tokens.NewToken(), Time.GetUtcNow() + Tokens.Lifetime));
        Tokens.Next(() => throw new TokenRequestException(null, 503, "POST /oauth2/token answered HTTP 503"));
        StartFeed();
        var d1 = ExpectDecision(FeedComponent.Token);
        Scheduler.Advance(d1.Delay);
        var d2 = ExpectDecision(FeedComponent.Token);
        Assert.Equal(2, d2.Attempt);
        EventFilter.Info(contains: "token healthy again after 2 restart(s); backoff reset").ExpectOne(() => Scheduler.Advance(d2.Delay));
        Scheduler.Advance(Settings.TokenBackoffMin);                     // the connection asks again
        var t = Wire.ExpectMsg<TransportCreated>().Transport;
        ExpectSent(t, "LOGIN");
        t.Push("""{"trnm":"LOGIN","return_code":8005,"return_msg":"Token이 유효하지 않습니다"}""");   // a new token is needed: it fails
        var d3 = ExpectDecision(FeedComponent.Token);
        Assert.Equal(1, d3.Attempt);                                      // not 3: the issued token reset the backoff
        Assert.Equal(Settings.TokenBackoffMin, d3.Delay);
    }

    [Fact]
    public void Token_refresh_that_fails_must_keep_the_valid_token_and_try_again_after_the_token_backoff()
    {
        Tokens.Lifetime = TimeSpan.FromHours(1);
        StartFeed();
        var first = TokenCalls.ExpectMsg<TokenIssued>().Token;
        var (t1, _) = AcceptConnection();
        Tokens.Next(() => throw new TokenRequestException(null, 500, "POST /oauth2/token answered HTTP 500"));
        Tokens.Next(() => throw new TokenRequestException(1700, 200, "POST /oauth2/token returned 1700: 허용된 요청 개수를 초과하였습니다"));
        var refreshIn = TimeSpan.FromHours(1) - Settings.TokenRefreshBeforeExpiry;
        EventFilter.Warning(contains: "Token refresh failed (token service unavailable, 1 in a row); keeping the current token").ExpectOne(() =>
        {
            AdvanceExpectingNothingBefore(refreshIn, TokenCalls, Time);
            Assert.Equal("(failed)", TokenCalls.ExpectMsg<TokenIssued>().Token);
        });
        Events.ExpectNoDecision(FeedComponent.Token, Quiet);             // the token actor did not fail

        // the connection still gets the valid token: a reconnect logs in with it
        t1.ServerClose(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure);
        var link = ExpectDecision(FeedComponent.Connection);
        Assert.True(link.Delay < Settings.TokenBackoffMin);
        Time.Advance(link.Delay);
        Scheduler.Advance(link.Delay);
        var (_, relogin) = AcceptConnection();
        Assert.Equal(first, relogin);

        // the refresh is tried again token.backoff-min after the failure (part of it has passed), then after twice that
        EventFilter.Warning(contains: "Token refresh failed (rate limited, 2 in a row)").ExpectOne(() =>
        {
            AdvanceExpectingNothingBefore(Settings.TokenBackoffMin - link.Delay, TokenCalls, Time);
            Assert.Equal("(failed)", TokenCalls.ExpectMsg<TokenIssued>().Token);
        });
        AdvanceExpectingNothingBefore(Settings.TokenBackoffMin * 2, TokenCalls, Time);
        var second = TokenCalls.ExpectMsg<TokenIssued>().Token;
        Assert.StartsWith("token-", second);
        Assert.NotEqual(first, second);
        Events.ExpectNoDecision(FeedComponent.Token, Quiet);
        AssertNoSecretLogged(first, second);
    }

    [Fact]
    public void Token_refresh_retries_must_never_go_past_the_expiry_and_fail_once_the_token_expired()
    {
        Settings = Settings with { TokenBackoffMin = TimeSpan.FromSeconds(90), TokenBackoffMax = TimeSpan.FromMinutes(10) };
        Tokens.Lifetime = TimeSpan.FromMinutes(4);                      // refreshed half way, at 2 min
        StartFeed();
        TokenCalls.ExpectMsg<TokenIssued>();
        AcceptConnection();
        for (var i = 0; i < 3; i++) Tokens.Next(() => throw new TokenRequestException(null, 503, "POST /oauth2/token answered HTTP 503"));
        EventFilter.Warning(contains: "next try in 00:01:30").ExpectOne(() =>
        {
            AdvanceExpectingNothingBefore(TimeSpan.FromMinutes(2), TokenCalls, Time);
            Assert.Equal("(failed)", TokenCalls.ExpectMsg<TokenIssued>().Token);
        });
        EventFilter.Warning(contains: "next try in 00:00:30").ExpectOne(() =>   // 3 min would be past the expiry: 30 s are left
        {
            AdvanceExpectingNothingBefore(TimeSpan.FromSeconds(90), TokenCalls, Time);
            Assert.Equal("(failed)", TokenCalls.ExpectMsg<TokenIssued>().Token);
        });
        Events.ExpectNoDecision(FeedComponent.Token, Quiet);
        AdvanceExpectingNothingBefore(TimeSpan.FromSeconds(30), TokenCalls, Time);
        Assert.Equal("(failed)", TokenCalls.ExpectMsg<TokenIssued>().Token);   // the try at the expiry fails too: nothing left to keep
        var decision = ExpectDecision(FeedComponent.Token);
        Assert.Equal(FeedFailureException.Causes.TokenService, decision.Cause);
        Assert.Equal(1, decision.Attempt);
    }

    [Fact]
    public void Token_refresh_refused_for_bad_credentials_must_fail_at_once()
    {
        Tokens.Lifetime = TimeSpan.FromHours(1);
        StartFeed();
        TokenCalls.ExpectMsg<TokenIssued>();
        AcceptConnection();
        Tokens.Next(() => throw new TokenRequestException(8001, 200, "POST /oauth2/token returned 8001: App Key와 Secret Key 검증에 실패했습니다"));
        AdvanceExpectingNothingBefore(TimeSpan.FromHours(1) - Settings.TokenRefreshBeforeExpiry, TokenCalls, Time);
        TokenCalls.ExpectMsg<TokenIssued>();
        var decision = ExpectDecision(FeedComponent.Token);
        Assert.Equal(FailureKind.Permanent, decision.Kind);
        Assert.Equal(FeedFailureException.Causes.BadCredentials, decision.Cause);
    }

    [Fact]
    public void Token_refresh_that_fails_after_revoking_the_handed_back_token_must_fail_as_it_cannot_keep_it()
    {
        Tokens.Lifetime = TimeSpan.FromHours(1);
        StartFeed();
        var first = TokenCalls.ExpectMsg<TokenIssued>().Token;
        AcceptConnection();
        var expiresAt = Time.GetUtcNow() + TimeSpan.FromHours(1);
        Tokens.Next(() => new TokenIssue(first, expiresAt));          // still valid: handed back, so it is revoked ...
        Tokens.Next(() => throw new TokenRequestException(null, 500, "POST /oauth2/token answered HTTP 500"));   // ... and the new issue fails
        AdvanceExpectingNothingBefore(TimeSpan.FromHours(1) - Settings.TokenRefreshBeforeExpiry, TokenCalls, Time);
        Assert.Equal(first, TokenCalls.ExpectMsg<TokenIssued>().Token);
        Assert.Equal(first, TokenCalls.ExpectMsg<TokenRevokedOnServer>().Token);
        Assert.Equal("(failed)", TokenCalls.ExpectMsg<TokenIssued>().Token);
        Assert.Equal(FeedFailureException.Causes.TokenService, ExpectDecision(FeedComponent.Token).Cause);
    }

    [Fact]
    public void Token_client_must_parse_expires_dt_as_Korea_Standard_Time()
    {
        var at = KiwoomTokenClient.ParseExpiry("20241107083713");
        Assert.Equal(new DateTimeOffset(2024, 11, 6, 23, 37, 13, TimeSpan.Zero), at.ToUniversalTime());
        Assert.Throws<TokenRequestException>(() => KiwoomTokenClient.ParseExpiry("2024-11-07"));
    }

    [Fact]
    public void Token_errors_must_be_classified()
    {
        Assert.Equal(FailureKind.Permanent, new TokenRequestException(8001, 200, "x").ToFailure().Kind);
        Assert.Equal(FailureKind.Permanent, new TokenRequestException(8030, 200, "x").ToFailure().Kind);
        Assert.Equal(FeedFailureException.Causes.BadCredentials, new TokenRequestException(8002, 200, "x").ToFailure().Cause);
        Assert.Equal(FailureKind.Transient, new TokenRequestException(1700, 200, "x").ToFailure().Kind);
        Assert.Equal(FeedFailureException.Causes.RateLimited, new TokenRequestException(1702, 200, "x").ToFailure().Cause);
        Assert.Equal(FailureKind.Transient, new TokenRequestException(8005, 200, "x").ToFailure().Kind);
        Assert.Equal(FailureKind.Transient, new TokenRequestException(null, 503, "x").ToFailure().Kind);
        Assert.Equal(FeedFailureException.Causes.RateLimited, new TokenRequestException(null, 429, "x").ToFailure().Cause);
        Assert.Equal(FeedFailureException.Causes.BadCredentials, new TokenRequestException(8103, 200, "x").ToFailure().Cause);
        Assert.Equal(FeedFailureException.Causes.TokenService, new TokenRequestException(8005, 200, "x").ToFailure().Cause);
    }
}
