using System.Text.RegularExpressions;

namespace ActorFeed.Kiwoom;

/// <summary>What a Kiwoom error code says about the world, and so what the feed does about it.</summary>
internal enum KiwoomErrorClass
{
    /// <summary>Token missing, invalid or expired (8003, 8005, 8006, 8009, 8015, 8016): issue a new token.</summary>
    Token,
    /// <summary>Request rate exceeded (1700; 1701 and 1702 too, as earlier clients treat them): pause, then send the same request again.</summary>
    RateLimit,
    /// <summary>An item of the request is bad (1901, 1902 unknown symbol or market; 1501-1517, 1687 input validation).</summary>
    Item,
    /// <summary>Bad app key, secret or grant type (8001, 8002, 8011, 8012, 8020): a person must act.</summary>
    Credentials,
    /// <summary>Real / mock mode mismatch (8030, 8031).</summary>
    Mode,
    /// <summary>Device or IP authentication (8010, 8040, 8050, 8103).</summary>
    Device,
    /// <summary>Anything else: the service failed; retry with backoff.</summary>
    Service,
}

/// <summary>
/// One error reply, read from either envelope Kiwoom uses: the fine code in <c>return_code</c> itself
/// (<c>{"return_code":8001,...}</c>, sometimes as a numeric string), or a coarse <c>return_code</c> with the fine code
/// inside the message (<c>[8005:...]</c>, <c>[1700]</c>, <c>CODE=8005</c>). The fine code is the first of those in the
/// message, else <c>return_code</c>.
/// </summary>
/// <param name="ReturnCode">The reply's <c>return_code</c> as sent.</param>
/// <param name="FineCode">The code that classifies it.</param>
/// <param name="Message">The reply's message (<c>return_msg</c>).</param>
internal sealed partial record KiwoomError(int ReturnCode, int FineCode, string Message)
{
    /// <summary>The error of a reply, or null when <paramref name="returnCode"/> is 0 (success).</summary>
    public static KiwoomError? Of(int returnCode, string? message) =>
        returnCode == 0 ? null : new KiwoomError(returnCode, FineCodeOf(returnCode, message), message ?? "");

    /// <summary>The fine code: the first <c>[NNNN:</c>, <c>[NNNN]</c> or <c>CODE=NNNN</c> in the message, else <paramref name="returnCode"/>.</summary>
    public static int FineCodeOf(int returnCode, string? message)
    {
        if (!string.IsNullOrEmpty(message) && EmbeddedCode().Match(message) is { Success: true } m
            && int.TryParse(m.Groups[1].Success ? m.Groups[1].ValueSpan : m.Groups[2].ValueSpan, System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var fine))
            return fine;
        return returnCode;
    }

    /// <summary>What the code says about the world.</summary>
    public KiwoomErrorClass Class => ClassOf(FineCode);

    /// <summary>Kiwoom's own client re-issues the token and retries LOGIN once on these (8005, 8031, 8103); after that they are permanent.</summary>
    public bool RetryLoginOnceWithNewToken => FineCode is 8005 or 8031 or 8103;

    /// <summary>Needs a person (credentials, mode, device): retried only with the long permanent-failure backoff.</summary>
    public bool IsPermanent => Class is KiwoomErrorClass.Credentials or KiwoomErrorClass.Mode or KiwoomErrorClass.Device;

    /// <summary>The class of a fine code, from the code table of Kiwoom's API guide and client.</summary>
    public static KiwoomErrorClass ClassOf(int fineCode) => fineCode switch
    {
        8003 or 8005 or 8006 or 8009 or 8015 or 8016 => KiwoomErrorClass.Token,
        1700 or 1701 or 1702 => KiwoomErrorClass.RateLimit,
        1901 or 1902 or (>= 1501 and <= 1517) or 1687 => KiwoomErrorClass.Item,
        8001 or 8002 or 8011 or 8012 or 8020 => KiwoomErrorClass.Credentials,
        8030 or 8031 => KiwoomErrorClass.Mode,
        8010 or 8040 or 8050 or 8103 => KiwoomErrorClass.Device,
        _ => KiwoomErrorClass.Service,
    };

    /// <summary>"return_code 3 (8005): message", or "return_code 8001: message" when the two codes are one.</summary>
    public override string ToString() =>
        FineCode == ReturnCode ? $"return_code {ReturnCode}: {Message}" : $"return_code {ReturnCode} ({FineCode}): {Message}";

    [GeneratedRegex(@"\[([0-9]{4})(?::|\])|CODE=([0-9]{4})")]                // ASCII digits only
    private static partial Regex EmbeddedCode();
}
