using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using ActorFeed.Messages;
using ActorFeed.Simulator;
using Xunit.Abstractions;

namespace ActorFeed.IntegrationTests;

/// <summary>
/// Kiwoom's two error envelopes on real sockets: a wrong secret (token endpoint) and refused LOGINs, in the fine-code
/// and the coarse envelope, also with an HTTP error status, end in the permanent breaker; and the simulator switches
/// that produce them.
/// </summary>
public sealed class ErrorEnvelopeSpec(ITestOutputHelper output) : IntegrationSpec(output)
{
    [Theory]
    [InlineData(ErrorEnvelope.FineCode, 200)]
    [InlineData(ErrorEnvelope.Coarse, 200)]
    [InlineData(ErrorEnvelope.FineCode, 401)]
    [InlineData(ErrorEnvelope.Coarse, 400)]
    public void A_wrong_secret_in_either_envelope_must_trip_the_bad_credentials_breaker(ErrorEnvelope envelope, int httpStatus)
    {
        Sim.Options.Credentials = (TestSettings.AppKey, "THE-RIGHT-SECRET-0123456789");   // the feed sends TestSettings.SecretKey
        Sim.Faults.ErrorEnvelope = envelope;
        Sim.Faults.TokenErrorHttpStatus = httpStatus;
        var logs = new LogCollector(Sys);
        var settings = FastSettings();
        var t0 = Stopwatch.GetTimestamp();
        StartFeed(settings);
        var first = ExpectDecision(FeedComponent.Token);
        Assert.Equal(FeedFailureException.Causes.BadCredentials, first.Cause);
        Assert.Equal(FailureKind.Permanent, first.Kind);
        Assert.Equal(settings.PermanentFailureBackoff, first.Delay);
        Assert.Contains("8001", first.Detail);
        var status = ExpectState(FeedState.Failed);
        Assert.True(status.IsPermanentFailure);
        Assert.Equal(FeedFailureException.Causes.BadCredentials, status.Cause);

        // the second try comes only after the permanent-failure backoff
        var second = ExpectDecision(FeedComponent.Token, settings.PermanentFailureBackoff + Wait);
        var elapsed = Stopwatch.GetElapsedTime(t0);
        Assert.Equal(2, second.Attempt);
        Assert.Equal(FailureKind.Permanent, second.Kind);
        Assert.True(elapsed >= settings.PermanentFailureBackoff, $"second try after {elapsed}");
        var requests = Sim.Record.Read(r => r.TokenRequests);
        Assert.True(requests <= 1 + (int)(elapsed / settings.PermanentFailureBackoff), $"{requests} token requests in {elapsed}");
        // one error line per failure (two so far), and no other
        var errors = logs.Snapshot(this).Where(l => l.StartsWith("Error", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Contains("token failed (bad credentials)", e));
        logs.AssertNoneContains(this, TestSettings.AppKey, TestSettings.SecretKey);
        AssertConnectionAttempts(0);
    }

    [Theory]
    [InlineData(ErrorEnvelope.FineCode, 8005, FeedFailureException.Causes.TokenRefused)]
    [InlineData(ErrorEnvelope.Coarse, 8005, FeedFailureException.Causes.TokenRefused)]
    [InlineData(ErrorEnvelope.Coarse, 8031, FeedFailureException.Causes.BadCredentials)]
    public void LOGIN_refused_twice_must_fail_permanently_and_recover_after_the_backoff_once_the_fault_is_cleared(ErrorEnvelope envelope, int code, string cause)
    {
        Sim.Faults.ErrorEnvelope = envelope;
        Sim.Faults.RejectNextLogins(1000, code);
        var settings = FastSettings();
        IActorRef feed = ActorRefs.Nobody;
        SupervisionDecision retry = null!, permanent = null!;
        EventFilter.Error(contains: $"connection failed ({cause})").ExpectOne(Wait, () =>
        {
            feed = StartFeed(settings);
            retry = ExpectDecision(FeedComponent.Connection);
            permanent = ExpectDecision(FeedComponent.Connection);
        });
        var t0 = Stopwatch.GetTimestamp();
        Assert.Equal(FailureKind.Transient, retry.Kind);                      // the one retry with a new token
        Assert.Equal(code == 8005 ? FeedFailureException.Causes.TokenRejected : FeedFailureException.Causes.LoginRejected, retry.Cause);
        Assert.Equal(cause, permanent.Cause);
        Assert.Equal(FailureKind.Permanent, permanent.Kind);
        Assert.Equal(settings.PermanentFailureBackoff, permanent.Delay);
        Assert.Equal(cause, ExpectState(FeedState.Failed).Cause);
        Assert.Equal(2, Sim.Record.Read(r => r.ConnectionAttempts));

        Sim.Faults.Clear();
        ExpectState(FeedState.Connected, settings.PermanentFailureBackoff + Wait);
        var elapsed = Stopwatch.GetElapsedTime(t0);
        Assert.True(elapsed >= settings.PermanentFailureBackoff - TimeSpan.FromMilliseconds(100), $"logged in again after {elapsed}");
        SubscribeAndAwaitTicks(feed, ["005930", "000660"]);
        Sim.Record.Read(r =>
        {
            Assert.Equal(2, r.LoginsRejected);
            Assert.Equal(1, r.LoginsAccepted);
            // each new token: the simulator hands back the valid one, so it is revoked and issued again; a token
            // refused (8005) is replaced after the permanent failure too, a mode refusal (8031) only for the retry
            Assert.Equal(code == 8005 ? 2 : 1, r.TokenRevokes);
            return true;
        });
        AssertServerRegistrations(["005930", "000660"]);
        AssertConnectionAttempts(3);
    }

    [Fact]
    public async Task Control_endpoint_must_switch_the_error_envelope_the_token_error_status_and_the_LOGIN_refusal_code()
    {
        using var http = new HttpClient { BaseAddress = Sim.RestBaseUrl };
        async Task<(int Status, JsonElement Body)> Token()
        {
            using var content = new StringContent("""{"grant_type":"client_credentials","appkey":"A-KEY-0001","secretkey":"A-SECRET-0001"}""", Encoding.UTF8, "application/json");
            var reply = await http.PostAsync("oauth2/token", content);
            return ((int)reply.StatusCode, await reply.Content.ReadFromJsonAsync<JsonElement>());
        }

        Assert.True((await http.PostAsync("sim/token-fault?mode=8001", null)).IsSuccessStatusCode);
        var (status, body) = await Token();
        Assert.Equal(200, status);
        Assert.Equal(8001, body.GetProperty("return_code").GetInt32());                     // fine code by default

        Assert.True((await http.PostAsync("sim/error-envelope?mode=coarse", null)).IsSuccessStatusCode);
        Assert.True((await http.PostAsync("sim/token-fault?mode=8001&http=400", null)).IsSuccessStatusCode);
        (status, body) = await Token();
        Assert.Equal(400, status);
        Assert.Equal(3, body.GetProperty("return_code").GetInt32());
        Assert.Contains("[8001:", body.GetProperty("return_msg").GetString());
        Assert.Equal(ErrorEnvelope.Coarse, Sim.Faults.ErrorEnvelope);

        Assert.True((await http.PostAsync("sim/token-fault?mode=1700&http=429", null)).IsSuccessStatusCode);
        (status, body) = await Token();
        Assert.Equal(429, status);
        Assert.Equal(5, body.GetProperty("return_code").GetInt32());
        Assert.Contains("[1700:", body.GetProperty("return_msg").GetString());

        Assert.Equal(400, (int)(await http.PostAsync("sim/error-envelope?mode=both", null)).StatusCode);
        Assert.Equal(400, (int)(await http.PostAsync("sim/token-fault?mode=8001&http=42", null)).StatusCode);
        Assert.True((await http.PostAsync("sim/reject-logins?count=2&code=8103", null)).IsSuccessStatusCode);

        // the LOGIN refusal in the coarse envelope, with the chosen code, on a real feed
        Assert.True((await http.PostAsync("sim/token-fault?mode=none", null)).IsSuccessStatusCode);
        StartFeed();
        var first = ExpectDecision(FeedComponent.Connection);
        Assert.Equal(FeedFailureException.Causes.LoginRejected, first.Cause);
        Assert.Contains("[CODE=8103,", first.Detail);
        Assert.Equal(FeedFailureException.Causes.BadCredentials, ExpectDecision(FeedComponent.Connection).Cause);

        Assert.True((await http.PostAsync("sim/clear", null)).IsSuccessStatusCode);
        Assert.Equal(ErrorEnvelope.FineCode, Sim.Faults.ErrorEnvelope);
        Assert.Equal(200, Sim.Faults.TokenErrorHttpStatus);
        Assert.Equal(TokenFault.None, Sim.Faults.TokenFault);
    }
}
