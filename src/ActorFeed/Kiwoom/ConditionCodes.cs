using System.Globalization;
using ActorFeed.Messages;

namespace ActorFeed.Kiwoom;

/// <summary>
/// What condition search (조건검색) sends besides its replies: the REAL type <c>02</c> entries of real-time condition
/// changes (FID 841 condition seq, 9001 code with its prefix, 843 <c>I</c> entered / <c>D</c> left, 20 time HHmmss KST),
/// and the A (stock) / J (ELW) / Q (ETN) prefix of its codes.
/// </summary>
internal static class ConditionCodes
{
    /// <summary>The REAL type of condition changes (조건검색); not a type a host subscribes to.</summary>
    public const string RealType = "02";

    private static readonly TimeSpan Kst = TimeSpan.FromHours(9);

    /// <summary>
    /// The code without its market prefix: "A005930" -> "005930", "Q500001" -> "500001", "J52A123" -> "52A123". A code
    /// without a prefix (six characters starting with a digit) is returned as is; null or blank gives null.
    /// </summary>
    public static string? Strip(string? code)
    {
        code = code?.Trim();
        if (string.IsNullOrEmpty(code)) return null;
        return code.Length >= 7 && code[0] is 'A' or 'J' or 'Q' && char.IsAsciiDigit(code[1]) ? code[1..] : code;
    }

    /// <summary>
    /// A type 02 entry as a change of one condition, or null when it lacks the seq, the code or a known direction
    /// (843 <c>I</c> / <c>D</c>). Its time is FID 20 on the KST day of receipt (the day before when that would put it
    /// more than an hour after receipt: a change sent just before midnight), else the receive time.
    /// </summary>
    public static ConditionChange? ChangeOf(Tick tick)
    {
        var seq = tick["841"]?.Trim();
        var code = Strip(tick["9001"] ?? tick.Code);
        var direction = tick["843"]?.Trim();
        bool entered;
        if (string.Equals(direction, "I", StringComparison.OrdinalIgnoreCase)) entered = true;
        else if (string.Equals(direction, "D", StringComparison.OrdinalIgnoreCase)) entered = false;
        else return null;
        if (string.IsNullOrEmpty(seq) || code is null) return null;
        return new ConditionChange(seq, code, entered, TimeOf(tick));
    }

    private static DateTimeOffset TimeOf(Tick tick)
    {
        if (tick["20"]?.Trim() is not { Length: 6 } text
            || !TimeOnly.TryParseExact(text, "HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            return tick.ReceivedAt;
        var kstDay = DateOnly.FromDateTime(tick.ReceivedAt.ToOffset(Kst).DateTime);
        var at = new DateTimeOffset(kstDay.ToDateTime(time), Kst);
        return at - tick.ReceivedAt > TimeSpan.FromHours(1) ? at.AddDays(-1) : at;
    }
}

/// <summary>One real-time condition change: <paramref name="Code"/> entered (or left) the condition <paramref name="Seq"/>.</summary>
/// <param name="Seq">The condition's seq as the server wrote it (FID 841).</param>
/// <param name="Code">The code, prefix stripped.</param>
/// <param name="Entered">True: entered (I); false: left (D).</param>
/// <param name="At">When, from FID 20 (KST) or the receive time.</param>
internal sealed record ConditionChange(string Seq, string Code, bool Entered, DateTimeOffset At);
