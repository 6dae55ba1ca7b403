using System.Net;
using System.Text;
using System.Text.Json;
using ActorFeed.Settings;

namespace ActorFeed.Tests.Auth;

public sealed class KiwoomTokenClientSpec
{
    private const string AppKey = "APPKEY-0123456789-abcdefghij";
    private const string SecretKey = "SECRET-9876543210-zyxwvutsrq";
    private readonly ActorFeedSettings _settings = ActorFeedSettings.Default with { AppKey = AppKey, SecretKey = SecretKey, RestBaseUrl = new Uri("http://127.0.0.1:1/") };

    [Fact]
    public async Task Issue_must_post_client_credentials_as_json_and_read_the_token()
    {
        var handler = new StubHandler(_ => Json("""{"expires_dt":"20241107083713","token_type":"bearer","token":"WQJCabc","return_code":0,"return_msg":"정상적으로 처리되었습니다"}"""));
        var client = new KiwoomTokenClient(new HttpClient(handler), _settings);
        var issue = await client.IssueAsync(CancellationToken.None);
        Assert.Equal("WQJCabc", issue.Token);
        Assert.Equal(TimeSpan.FromHours(9), issue.ExpiresAt.Offset);
        Assert.Equal("/oauth2/token", handler.Path);
        Assert.Equal("application/json; charset=UTF-8", handler.ContentType);
        using var body = JsonDocument.Parse(handler.Body!);
        Assert.Equal("client_credentials", body.RootElement.GetProperty("grant_type").GetString());
        Assert.Equal(AppKey, body.RootElement.GetProperty("appkey").GetString());
        Assert.Equal(SecretKey, body.RootElement.GetProperty("secretkey").GetString());
        Assert.DoesNotContain("WQJCabc", issue.ToString());
    }

    [Fact]
    public async Task Issue_must_turn_a_nonzero_return_code_into_a_classified_error_without_secrets()
    {
        var handler = new StubHandler(_ => Json($$"""{"return_code":8001,"return_msg":"App Key와 Secret Key 검증에 실패했습니다 {{AppKey}}"}"""));
        var client = new KiwoomTokenClient(new HttpClient(handler), _settings);
        var e = await Assert.ThrowsAsync<TokenRequestException>(() => client.IssueAsync(CancellationToken.None));
        Assert.Equal(8001, e.ReturnCode);
        Assert.Equal(FailureKind.Permanent, e.ToFailure().Kind);
        Assert.DoesNotContain(AppKey, e.Message);
    }

    [Fact]
    public async Task Issue_must_report_http_errors_as_transient()
    {
        var client = new KiwoomTokenClient(new HttpClient(new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.BadGateway))), _settings);
        var e = await Assert.ThrowsAsync<TokenRequestException>(() => client.IssueAsync(CancellationToken.None));
        Assert.Equal(502, e.HttpStatus);
        Assert.Equal(FailureKind.Transient, e.ToFailure().Kind);
    }

    [Theory]
    [InlineData("""{"return_code":8001,"return_msg":"App Key와 Secret Key 검증에 실패했습니다"}""")]                          // fine code
    [InlineData("""{"return_code":3,"return_msg":"인증에 실패했습니다[8001:App Key와 Secret Key 검증에 실패했습니다]"}""")]    // coarse code, fine one in the message
    [InlineData("""{"return_code":"8001","return_msg":"App Key와 Secret Key 검증에 실패했습니다"}""")]                        // fine code as a string
    [InlineData("""{"return_code":"3","return_msg":"인증에 실패했습니다[8001:App Key와 Secret Key 검증에 실패했습니다]"}""")]  // coarse code as a string
    public async Task Issue_must_read_bad_credentials_from_either_envelope_as_the_fine_code_and_a_permanent_failure(string body)
    {
        var e = await IssueFails(Json(body));
        Assert.Equal(8001, e.ReturnCode);
        Assert.Equal(200, e.HttpStatus);
        var failure = e.ToFailure();
        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Equal(FeedFailureException.Causes.BadCredentials, failure.Cause);
    }

    [Theory]
    [InlineData("""{"return_code":1700,"return_msg":"허용된 요청 개수를 초과하였습니다"}""")]
    [InlineData("""{"return_code":5,"return_msg":"허용된 요청 개수를 초과하였습니다[1700:허용된 요청 개수를 초과하였습니다]"}""")]
    public async Task Issue_must_read_a_rate_limit_from_either_envelope_as_transient_rate_limited(string body)
    {
        var e = await IssueFails(Json(body));
        Assert.Equal(1700, e.ReturnCode);
        Assert.Equal(FailureKind.Transient, e.ToFailure().Kind);
        Assert.Equal(FeedFailureException.Causes.RateLimited, e.ToFailure().Cause);
    }

    [Fact]
    public async Task Issue_must_take_a_numeric_string_return_code_other_than_0_for_an_error()
    {
        var e = await IssueFails(Json("""{"expires_dt":"20241107083713","token":"WQJCabc","return_code":"8005","return_msg":"Token이 유효하지 않습니다"}"""));
        Assert.Equal(8005, e.ReturnCode);
        Assert.Equal(FailureKind.Transient, e.ToFailure().Kind);
        Assert.Equal(FeedFailureException.Causes.TokenService, e.ToFailure().Cause);
        Assert.Contains("8005", e.Message);
    }

    [Fact]
    public async Task Issue_must_take_return_code_0_as_a_string_for_success()
    {
        var handler = new StubHandler(_ => Json("""{"expires_dt":"20241107083713","token_type":"bearer","token":"WQJCabc","return_code":"0","return_msg":"정상적으로 처리되었습니다"}"""));
        var issue = await new KiwoomTokenClient(new HttpClient(handler), _settings).IssueAsync(CancellationToken.None);
        Assert.Equal("WQJCabc", issue.Token);
    }

    [Fact]
    public async Task Issue_must_refuse_a_return_code_that_is_not_a_number()
    {
        var e = await IssueFails(Json("""{"expires_dt":"20241107083713","token":"WQJCabc","return_code":"E01","return_msg":"?"}"""));
        Assert.Null(e.ReturnCode);
        Assert.Contains("\"E01\", which is not a number", e.Message);
        Assert.Equal(FailureKind.Transient, e.ToFailure().Kind);
    }

    [Theory]
    [InlineData(400, """{"return_code":3,"return_msg":"인증에 실패했습니다[8001:App Key와 Secret Key 검증에 실패했습니다]"}""")]
    [InlineData(401, """{"return_code":8001,"return_msg":"App Key와 Secret Key 검증에 실패했습니다"}""")]
    [InlineData(403, """{"return_code":"8002","return_msg":"App Key가 유효하지 않습니다"}""")]
    public async Task Issue_must_classify_an_http_error_with_a_Kiwoom_body_by_the_body(int status, string body)
    {
        var e = await IssueFails(Json(body, (HttpStatusCode)status));
        Assert.Equal(status, e.HttpStatus);
        Assert.True(e.ReturnCode is 8001 or 8002, $"return code {e.ReturnCode}");
        Assert.Equal(FailureKind.Permanent, e.ToFailure().Kind);
        Assert.Equal(FeedFailureException.Causes.BadCredentials, e.ToFailure().Cause);
        Assert.Contains($"HTTP {status}", e.Message);
    }

    [Fact]
    public async Task Issue_must_take_HTTP_429_with_a_1700_body_for_a_rate_limit()
    {
        var e = await IssueFails(Json("""{"return_code":5,"return_msg":"허용된 요청 개수를 초과하였습니다[1700:허용된 요청 개수를 초과하였습니다]"}""", HttpStatusCode.TooManyRequests));
        Assert.Equal(1700, e.ReturnCode);
        Assert.Equal(FeedFailureException.Causes.RateLimited, e.ToFailure().Cause);
    }

    [Fact]
    public async Task Issue_must_take_HTTP_429_without_a_body_for_a_rate_limit()
    {
        var e = await IssueFails(new HttpResponseMessage(HttpStatusCode.TooManyRequests));
        Assert.Null(e.ReturnCode);
        Assert.Equal(429, e.HttpStatus);
        Assert.Equal(FailureKind.Transient, e.ToFailure().Kind);
        Assert.Equal(FeedFailureException.Causes.RateLimited, e.ToFailure().Cause);
    }

    [Theory]
    [InlineData(503, "<html><body>Service Unavailable</body></html>")]
    [InlineData(401, """{"error":"unauthorized"}""")]
    [InlineData(400, """{"return_code":0,"return_msg":""}""")]
    public async Task Issue_must_classify_an_http_error_without_a_Kiwoom_error_body_as_token_service_unavailable(int status, string body)
    {
        var e = await IssueFails(new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8) });
        Assert.Null(e.ReturnCode);
        Assert.Equal(status, e.HttpStatus);
        Assert.Equal(FailureKind.Transient, e.ToFailure().Kind);
        Assert.Equal(FeedFailureException.Causes.TokenService, e.ToFailure().Cause);
    }

    [Fact]
    public async Task Issue_must_keep_secrets_out_of_the_message_of_an_http_error_body()
    {
        var e = await IssueFails(Json($$"""{"return_code":3,"return_msg":"인증에 실패했습니다[8001:{{AppKey}} / {{SecretKey}}]"}""", HttpStatusCode.BadRequest));
        Assert.Equal(8001, e.ReturnCode);
        Assert.DoesNotContain(AppKey, e.Message);
        Assert.DoesNotContain(SecretKey, e.Message);
    }

    [Fact]
    public async Task Revoke_must_keep_the_token_out_of_the_message_of_an_error()
    {
        const string token = "TOKEN-XYZ-0123456789";
        var client = new KiwoomTokenClient(new HttpClient(new StubHandler(_ => Json($$"""{"return_code":"8005","return_msg":"Token이 유효하지 않습니다 ({{token}})"}"""))), _settings);
        var e = await Assert.ThrowsAsync<TokenRequestException>(() => client.RevokeAsync(token, CancellationToken.None));
        Assert.Equal(8005, e.ReturnCode);
        Assert.DoesNotContain(token, e.Message);
    }

    [Fact]
    public async Task Issue_without_credentials_must_fail_permanently_naming_the_keys()
    {
        var client = new KiwoomTokenClient(new HttpClient(new StubHandler(_ => throw new InvalidOperationException("no request expected"))), ActorFeedSettings.Default);
        var e = await Assert.ThrowsAsync<TokenRequestException>(() => client.IssueAsync(CancellationToken.None));
        Assert.Equal(FailureKind.Permanent, e.ToFailure().Kind);
        Assert.Contains("actorfeed.app-key", e.Message);
    }

    [Fact]
    public async Task Revoke_must_post_the_token()
    {
        var handler = new StubHandler(_ => Json("""{"return_code":0,"return_msg":"ok"}"""));
        await new KiwoomTokenClient(new HttpClient(handler), _settings).RevokeAsync("TOKEN-XYZ", CancellationToken.None);
        Assert.Equal("/oauth2/revoke", handler.Path);
        Assert.Equal("TOKEN-XYZ", JsonDocument.Parse(handler.Body!).RootElement.GetProperty("token").GetString());
    }

    private static HttpResponseMessage Json(string body, HttpStatusCode status = HttpStatusCode.OK) => new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private Task<TokenRequestException> IssueFails(HttpResponseMessage reply) =>
        Assert.ThrowsAsync<TokenRequestException>(() => new KiwoomTokenClient(new HttpClient(new StubHandler(_ => reply)), _settings).IssueAsync(CancellationToken.None));

    private sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> reply) : HttpMessageHandler
    {
        public string? Path, Body, ContentType;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Path = request.RequestUri!.AbsolutePath;
            ContentType = request.Content?.Headers.ContentType?.ToString();
            Body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            return reply(request);
        }
    }
}
