namespace ActorFeed.Settings;

/// <summary>Keeps secrets (app key, secret key, token) out of logs and exception messages.</summary>
internal static class Redact
{
    /// <summary>Shows at most the last 2 characters of a secret, e.g. "***(len 36, ..x9)".</summary>
    public static string Secret(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "(empty)";
        return value.Length < 12 ? "***" : $"***..{value[^2..]}";
    }

    /// <summary>Replaces each occurrence of the given secrets inside <paramref name="text"/>.</summary>
    public static string Scrub(string text, params string?[] secrets)
    {
        foreach (var s in secrets)
            if (!string.IsNullOrEmpty(s) && s.Length >= 4)
                text = text.Replace(s, Secret(s), StringComparison.Ordinal);
        return text;
    }
}
