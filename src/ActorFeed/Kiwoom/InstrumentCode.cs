namespace ActorFeed.Kiwoom;

/// <summary>Validation of a code and type before subscribing (the feed applies the same check to every <c>Subscribe</c>). Instrument codes: KRX "005930", Nextrade "005930_NX", smart routing "005930_AL",
/// sector codes such as "001"; upper-case letters and digits, 3 to 6 of them before the optional suffix.</summary>
public static class InstrumentCode
{
    /// <summary>Returns null when <paramref name="code"/> is valid for <paramref name="type"/>, else the reason.</summary>
    public static string? Validate(string? code, string? type)
    {
        if (string.IsNullOrEmpty(type)) return "type is missing";
        if (!RealTypes.IsKnown(type)) return $"unknown type '{type}' (known: {string.Join(", ", RealTypes.Names.Keys)})";
        if (RealTypes.IsAccountType(type))
            return string.IsNullOrEmpty(code) ? null : $"type {type} is per account: the code must be empty, was '{code}'";
        if (string.IsNullOrEmpty(code)) return $"code is missing (type {type} needs an instrument code such as 005930)";
        var core = code.EndsWith("_NX", StringComparison.Ordinal) || code.EndsWith("_AL", StringComparison.Ordinal) ? code[..^3] : code;
        if (core.Length is < 3 or > 6) return $"code '{code}' must be 3 to 6 letters or digits, optionally followed by _NX or _AL";
        foreach (var ch in core)
            if (ch is not ((>= '0' and <= '9') or (>= 'A' and <= 'Z')))
                return $"code '{code}' has the character '{ch}': only digits and upper-case letters are allowed";
        return null;
    }
}
