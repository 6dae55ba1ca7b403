namespace ActorFeed.Simulator;

/// <summary>How the simulated exchange behaves. Most values can be changed while it runs.</summary>
public sealed class SimulatorOptions
{
    /// <summary>When set, only this app key / secret key pair gets a token (others: 8001). When null, any non-empty pair does.</summary>
    public (string AppKey, string SecretKey)? Credentials { get; set; }

    /// <summary>Lifetime of an issued token (Kiwoom: about 18 h).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(18);

    /// <summary>The server sends {"trnm":"PING"} this often.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A session that has not echoed a PING within this is closed.</summary>
    public TimeSpan PingGrace { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A socket that has not logged in within this is closed.</summary>
    public TimeSpan LoginTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>More items than this in one REG is an error (return_code 1).</summary>
    public int MaxItemsPerReg { get; set; } = 100;

    /// <summary>REAL entries per second for each registered code/type.</summary>
    public double TicksPerSecondPerItem { get; set; } = 2;

    /// <summary>How often the tick pump wakes up and sends what is due.</summary>
    public TimeSpan FrameInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>At most this many entries in one REAL frame.</summary>
    public int MaxEntriesPerFrame { get; set; } = 20;

    /// <summary>Adds field "9999" with the send time (<see cref="SimClock"/> microseconds, taken as the frame is written) to every entry, for latency measurements.</summary>
    public bool StampSendTime { get; set; }

    /// <summary>Seed of the price walk, for repeatable runs.</summary>
    public int Seed { get; set; } = 20261128;

    // ------------------------------------------------------------ condition search (조건검색)

    /// <summary>
    /// The conditions CNSRLST lists, in this order, with their members at start (6-digit codes, no prefix; the wire adds
    /// A). Read when the simulator starts. Default: four conditions, seq "0" to "3", whose members are drawn from
    /// <see cref="ConditionUniverse"/>.
    /// </summary>
    public IList<SimCondition> Conditions { get; set; } =
    [
        new("0", "골든크로스", ["005930", "000660", "035420", "005380", "000270"]),
        new("1", "거래량급증", ["035720", "051910", "006400", "068270"]),
        new("2", "신고가", ["207940", "005490", "105560"]),
        new("3", "외국인순매수", ["055550", "012330", "028260", "066570", "003550", "096770"]),
    ];

    /// <summary>
    /// The codes that can enter a condition through the automatic churn or a counted change
    /// (<see cref="KiwoomSimulator.ChangeCondition(string, int, int)"/>). Read when the simulator starts. Default: 20 KRX codes.
    /// </summary>
    public IList<string> ConditionUniverse { get; set; } =
    [
        "005930", "000660", "035420", "035720", "005380", "000270", "051910", "006400", "068270", "207940",
        "005490", "105560", "055550", "012330", "028260", "066570", "003550", "096770", "017670", "030200",
    ];

    /// <summary>
    /// Automatic membership changes per minute per condition (each one code entering or leaving, at random from
    /// <see cref="Seed"/>), paused while <see cref="SimulatorFaults.MarketClosed"/>; 0 stops them (tests that drive changes
    /// with <see cref="KiwoomSimulator.ChangeCondition(string, int, int)"/> set 0). Can be changed while it runs.
    /// </summary>
    public double ConditionChangesPerMinute { get; set; } = 4;

    /// <summary>Members per reply of a one-shot CNSRREQ (search_type 0); more come with cont_yn "Y" and a next_key.</summary>
    public int ConditionPageSize { get; set; } = 100;

    /// <summary>Real-time conditions (CNSRREQ search_type 1) one session may have active; one more is refused (return_code 1).</summary>
    public int MaxRealTimeConditions { get; set; } = 10;
}
