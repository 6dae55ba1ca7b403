namespace ActorFeed.Kiwoom;

/// <summary>Kiwoom real-time type codes (case matters: "0g" is not "0G").</summary>
public static class RealTypes
{
    /// <summary>"00" 주문체결: order fills of the account (per account: the item code is empty).</summary>
    public const string OrderFill = "00";
    /// <summary>"04" 잔고: balance changes of the account (per account: the item code is empty).</summary>
    public const string Balance = "04";
    /// <summary>"0B" 주식체결: stock trades, the type the typed accessors of <see cref="Messages.Tick"/> read.</summary>
    public const string StockTrade = "0B";
    /// <summary>"0D" 주식호가잔량: order book (bid/ask prices and quantities).</summary>
    public const string OrderBook = "0D";

    /// <summary>Every type the server knows, with its Korean name.</summary>
    public static IReadOnlyDictionary<string, string> Names { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["00"] = "주문체결", ["04"] = "잔고", ["0A"] = "주식기세", ["0B"] = "주식체결", ["0C"] = "주식우선호가",
        ["0D"] = "주식호가잔량", ["0E"] = "주식시간외호가", ["0F"] = "주식당일거래원", ["0G"] = "ETF NAV",
        ["0H"] = "주식예상체결", ["0I"] = "국제금환산가격", ["0J"] = "업종지수", ["0U"] = "업종등락",
        ["0g"] = "주식종목정보", ["0m"] = "ELW 이론가", ["0s"] = "장시작시간", ["0u"] = "ELW 지표",
        ["0w"] = "종목프로그램매매", ["1h"] = "VI발동/해제",
    };

    /// <summary>True when <paramref name="type"/> is one of <see cref="Names"/> (exact case).</summary>
    public static bool IsKnown(string? type) => type is not null && Names.ContainsKey(type);

    /// <summary>Types 00 (order fills) and 04 (balance) are per account: their item is "".</summary>
    public static bool IsAccountType(string? type) => type is OrderFill or Balance;

    /// <summary>
    /// True for the types that are events, not a continuous market-data stream: the per-account types 00 / 04, 0s
    /// (session changes), 1h (VI) and 02 (condition search changes, <see cref="ConditionCodes.RealType"/>). They are silent
    /// for hours when nothing happens, and their arrival says nothing about whether market data flows.
    /// </summary>
    internal static bool IsEventType(string? type) => IsAccountType(type) || type is "0s" or "1h" or ConditionCodes.RealType;

    /// <summary>
    /// True for a type whose entries prove that market data flows (the data watchdog's measure): a known type
    /// (<see cref="Names"/>) that is not an event type (<see cref="IsEventType"/>).
    /// </summary>
    internal static bool IsMarketData(string? type) => IsKnown(type) && !IsEventType(type);
}
