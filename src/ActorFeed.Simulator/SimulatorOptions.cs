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
}
