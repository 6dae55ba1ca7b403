using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using ActorFeed.Settings;
using ActorFeed.Kiwoom;

namespace ActorFeed.Token;

/// <summary>REST client for <c>/oauth2/token</c> and <c>/oauth2/revoke</c>.</summary>
internal sealed class KiwoomTokenClient(HttpClient http, ActorFeedSettings settings) : ITokenClient
{
    /// <summary>Korea Standard Time: UTC+9, no daylight saving.</summary>
    public static readonly TimeSpan Kst = TimeSpan.FromHours(9);

    public async Task<TokenIssue> IssueAsync(CancellationToken cancellationToken)
    {
        if (!settings.HasCredentials)
            throw new TokenRequestException(8001, null, "no app key or secret key configured (actorfeed.app-key, actorfeed.secret-key)");
        using var doc = await PostAsync("oauth2/token", w =>
        {
            w.WriteString("grant_type", "client_credentials");
            w.WriteString("appkey", settings.AppKey);
            w.WriteString("secretkey", settings.SecretKey);
        }, cancellationToken).ConfigureAwait(false);
        var root = doc.RootElement;
        var token = root.TryGetProperty("token", out var t) ? t.GetString() : null;
        var expires = root.TryGetProperty("expires_dt", out var e) ? e.GetString() : null;
        if (string.IsNullOrEmpty(token) || expires is null)
            throw new TokenRequestException(null, 200, "token reply without token or expires_dt");
        return new TokenIssue(token, ParseExpiry(expires));
    }

    public async Task RevokeAsync(string token, CancellationToken cancellationToken)
    {
        using var _ = await PostAsync("oauth2/revoke", w =>
        {
            w.WriteString("appkey", settings.AppKey);
            w.WriteString("secretkey", settings.SecretKey);
            w.WriteString("token", token);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Parses <c>yyyyMMddHHmmss</c> in Korea Standard Time.</summary>
    public static DateTimeOffset ParseExpiry(string expiresDt)
    {
        if (!DateTime.TryParseExact(expiresDt, "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            throw new TokenRequestException(null, 200, $"expires_dt '{expiresDt}' is not yyyyMMddHHmmss");
        return new DateTimeOffset(local, Kst);
    }

    private async Task<JsonDocument> PostAsync(string path, Action<Utf8JsonWriter> body, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.TokenRequestTimeout);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        using var content = new ByteArrayContent(stream.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json;charset=UTF-8");
        var uri = new Uri(settings.RestBaseUrl, path);
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync(uri, content, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TokenRequestException(null, null, $"POST {uri.AbsolutePath} timed out after {settings.TokenRequestTimeout}", e);
        }
        catch (HttpRequestException e)
        {
            throw new TokenRequestException(null, null, $"POST {uri.AbsolutePath} failed: {e.Message}", e);
        }
        using (response)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new TokenRequestException(null, (int)response.StatusCode, $"POST {uri.AbsolutePath} answered HTTP {(int)response.StatusCode}");
            JsonDocument doc;
            try { doc = JsonDocument.Parse(bytes); }
            catch (JsonException) { throw new TokenRequestException(null, 200, $"POST {uri.AbsolutePath} answered with invalid JSON"); }
            var root = doc.RootElement;
            var code = root.TryGetProperty("return_code", out var rc) && rc.ValueKind == JsonValueKind.Number ? rc.GetInt32() : 0;
            if (code != 0)
            {
                var msg = root.TryGetProperty("return_msg", out var m) ? m.GetString() ?? "" : "";
                doc.Dispose();
                throw new TokenRequestException(code, 200,
                    Redact.Scrub($"POST {uri.AbsolutePath} returned {code}: {msg}", settings.AppKey, settings.SecretKey));
            }
            return doc;
        }
    }
}
