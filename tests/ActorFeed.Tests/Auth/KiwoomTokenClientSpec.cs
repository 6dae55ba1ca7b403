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

    private static HttpResponseMessage Json(string body) => new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

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
