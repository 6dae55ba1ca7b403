using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using ActorFeed.Settings;
using ActorFeed.Kiwoom;

namespace ActorFeed.Token;

/// <summary>
/// REST client for <c>/oauth2/token</c> and <c>/oauth2/revoke</c>. An error is read from either envelope Kiwoom uses
/// (the fine code in <c>return_code</c>, a number or a numeric string; or a coarse <c>return_code</c> with the fine code
/// in <c>return_msg</c>), also when it comes with an HTTP error status, and thrown as a <see cref="TokenRequestException"/>
/// whose <see cref="TokenRequestException.ReturnCode"/> is the fine code. An HTTP error without such a body carries only
/// its status (429: rate limited; any other: the token service is unavailable). Messages never contain the keys or the token.
/// </summary>
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
        }, null, cancellationToken).ConfigureAwait(false);
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
        }, token, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Parses <c>yyyyMMddHHmmss</c> in Korea Standard Time.</summary>
    public static DateTimeOffset ParseExpiry(string expiresDt)
    {
        if (!DateTime.TryParseExact(expiresDt, "yyyyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            throw new TokenRequestException(null, 200, $"expires_dt '{expiresDt}' is not yyyyMMddHHmmss");
        return new DateTimeOffset(local, Kst);
    }

    private async Task<JsonDocument> PostAsync(string path, Action<Utf8JsonWriter> body, string? token, CancellationToken ct)
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
        var where = $"POST {uri.AbsolutePath}";
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync(uri, content, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new TokenRequestException(null, null, $"{where} timed out after {settings.TokenRequestTimeout}", e);
        }
        catch (HttpRequestException e)
        {
            throw new TokenRequestException(null, null, Scrub($"{where} failed: {e.Message}", token), e);
        }
        using (response)
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var doc = ParseOrNull(bytes);
            try
            {
                var reply = doc is null ? default : ReturnCodeOf(doc.RootElement);
                if (!response.IsSuccessStatusCode)
                {
                    // An HTTP error may still carry Kiwoom's JSON error: its code says more than the status does.
                    if (reply.Code is { } c and not 0)
                        throw Error(KiwoomError.Of(c, reply.Message)!, status, $"{where} answered HTTP {status} with", token);
                    throw new TokenRequestException(null, status, status == 429
                        ? $"{where} answered HTTP 429 (too many requests)"
                        : $"{where} answered HTTP {status}");
                }
                if (doc is null)
                    throw new TokenRequestException(null, status, $"{where} answered with invalid JSON");
                if (reply.Unreadable is { } raw)
                    throw new TokenRequestException(null, status, Scrub($"{where} answered return_code {raw}, which is not a number", token));
                if (reply.Code is { } code and not 0)
                    throw Error(KiwoomError.Of(code, reply.Message)!, status, $"{where} returned", token);
                var result = doc;
                doc = null;
                return result;
            }
            finally
            {
                doc?.Dispose();
            }
        }
    }

    /// <summary>The classified error, carrying the FINE code (read from either envelope) as its return code.</summary>
    private TokenRequestException Error(KiwoomError error, int status, string prefix, string? token) =>
        new(error.FineCode, status, Scrub($"{prefix} {error}", token));

    private string Scrub(string text, string? token) => Redact.Scrub(text, settings.AppKey, settings.SecretKey, token);

    private static JsonDocument? ParseOrNull(byte[] bytes)
    {
        if (bytes.Length == 0) return null;
        try { return JsonDocument.Parse(bytes); }
        catch (JsonException) { return null; }
    }

    /// <summary>
    /// <c>return_code</c> as a number or a numeric string ("0", "8005"); <see cref="ReturnCode.Unreadable"/> holds its
    /// raw text when it is there but neither. No <c>return_code</c> at all reads as null (success, when the status is).
    /// </summary>
    private static ReturnCode ReturnCodeOf(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("return_code", out var rc)) return default;
        var message = root.TryGetProperty("return_msg", out var m)
            ? m.ValueKind == JsonValueKind.String ? m.GetString() : m.GetRawText()
            : null;
        int? code = rc.ValueKind switch
        {
            JsonValueKind.Number when rc.TryGetInt32(out var n) => n,
            JsonValueKind.String when int.TryParse(rc.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
            _ => null,
        };
        if (code is not null) return new ReturnCode(code, message, null);
        var raw = rc.GetRawText();
        return new ReturnCode(null, message, raw.Length <= 40 ? raw : raw[..40] + "...");
    }

    private readonly record struct ReturnCode(int? Code, string? Message, string? Unreadable);
}
