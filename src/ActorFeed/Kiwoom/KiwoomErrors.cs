using System.Text.RegularExpressions;

namespace ActorFeed.Kiwoom;

/// <summary>Kiwoom return codes and how ActorFeed treats them.</summary>
internal static partial class KiwoomErrors
{
    /// <summary>Bad or missing app key / secret / grant type, token for another IP, real/mock mismatch: a person must fix these.</summary>
    public static bool IsPermanentCredentialError(int code) => code is 8001 or 8002 or 8011 or 8012 or 8020 or 8010 or 8030 or 8031;

    /// <summary>Token not found / invalid / could not be issued: get a new token.</summary>
    public static bool IsTokenInvalid(int code) => code is 8003 or 8005 or 8006 or 8009;

    /// <summary>Request rate limits.</summary>
    public static bool IsRateLimit(int code) => code is 1700 or 1701 or 1702;

    /// <summary>Finds "CODE=8005" (or [8005:...]) style token errors inside a server message.</summary>
    public static bool MentionsTokenInvalid(string? message)
    {
        if (string.IsNullOrEmpty(message)) return false;
        foreach (Match m in EmbeddedCode().Matches(message))
            if (int.TryParse(m.Groups[1].ValueSpan, out var code) && IsTokenInvalid(code)) return true;
        return false;
    }

    [GeneratedRegex(@"(?:CODE=|\[)(\d{4})")]
    private static partial Regex EmbeddedCode();
}
