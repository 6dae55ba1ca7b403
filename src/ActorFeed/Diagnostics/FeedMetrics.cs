using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace ActorFeed.Diagnostics;

/// <summary>
/// The <c>ActorFeed</c> meter (System.Diagnostics.Metrics). Every instrument carries the tag <c>feed</c>
/// (actor system name / feed actor name) so that several feeds in one process can be told apart.
/// </summary>
internal static class FeedMetrics
{
    public const string MeterName = "ActorFeed";
    public static readonly Meter Meter = new(MeterName);

    /// <summary>actorfeed.connection.attempts: sockets opened (first connect and reconnects).</summary>
    public static readonly Counter<long> ConnectionAttempts = Meter.CreateCounter<long>("actorfeed.connection.attempts");

    /// <summary>actorfeed.connection.disconnects: links lost, tagged with <c>cause</c>.</summary>
    public static readonly Counter<long> Disconnects = Meter.CreateCounter<long>("actorfeed.connection.disconnects");

    /// <summary>actorfeed.connection.recovery_time: seconds from losing the link to logging in again.</summary>
    public static readonly Histogram<double> RecoveryTime = Meter.CreateHistogram<double>("actorfeed.connection.recovery_time", "s");

    /// <summary>actorfeed.requests.rate_limited: REG / REMOVE replies with a rate limit (1700), each one pause before
    /// the same request is sent again; tagged with <c>trnm</c> (REG, REMOVE).</summary>
    public static readonly Counter<long> RateLimited = Meter.CreateCounter<long>("actorfeed.requests.rate_limited");

    /// <summary>actorfeed.ticks: REAL entries received.</summary>
    public static readonly Counter<long> Ticks = Meter.CreateCounter<long>("actorfeed.ticks");

    /// <summary>actorfeed.ticks.dropped: ticks a slow subscriber actor never got because a newer tick of the same code
    /// replaced them while its mailbox was full (<c>actorfeed.subscription.max-pending-ticks</c>), tagged with <c>code</c>.</summary>
    public static readonly Counter<long> TicksDropped = Meter.CreateCounter<long>("actorfeed.ticks.dropped");

    /// <summary>actorfeed.subscriptions.active: code/type pairs the feed wants (up and down).</summary>
    public static readonly UpDownCounter<long> ActiveSubscriptions = Meter.CreateUpDownCounter<long>("actorfeed.subscriptions.active");

    private static readonly ConcurrentDictionary<(string Feed, string Code), StrongBox<long>> LastTicks = new();

    /// <summary>actorfeed.staleness: seconds since the last market-data tick of each subscribed code (tags <c>feed</c>,
    /// <c>code</c>); nothing for a code before its first market-data tick (the per-account code "" of 00 / 04 and codes
    /// subscribed only to event types such as 0s / 1h never get one, and never climb).</summary>
    public static readonly ObservableGauge<double> Staleness = Meter.CreateObservableGauge("actorfeed.staleness", ObserveStaleness, "s");

    /// <summary>The value of a tracked code's box before its first market-data tick: the gauge skips it.</summary>
    internal const long NoTickYet = long.MinValue;

    /// <summary>Starts tracking a code; the tick path writes the returned box on every market-data tick (until the first,
    /// it holds <see cref="NoTickYet"/> and the code is not measured).</summary>
    internal static StrongBox<long> TrackStaleness(string feed, string code) =>
        LastTicks[(feed, code)] = new StrongBox<long>(NoTickYet);

    /// <summary>Stops tracking a code, if <paramref name="box"/> (from <see cref="TrackStaleness"/>) is still the one tracked:
    /// a code resubscribed while its previous actor is stopping is tracked again by the new actor before the old one's
    /// PostStop runs, and that must not remove the new entry.</summary>
    internal static void UntrackStaleness(string feed, string code, StrongBox<long> box) =>
        LastTicks.TryRemove(new KeyValuePair<(string, string), StrongBox<long>>((feed, code), box));

    private static IEnumerable<Measurement<double>> ObserveStaleness()
    {
        var now = Environment.TickCount64;
        foreach (var ((feed, code), box) in LastTicks)
            if (Volatile.Read(ref box.Value) is var last && last != NoTickYet)
                yield return new Measurement<double>((now - last) / 1000.0,
                new KeyValuePair<string, object?>("feed", feed), new KeyValuePair<string, object?>("code", code));
    }

    /// <summary>actorfeed.decode_errors: malformed or unknown frames, tagged with <c>kind</c> (malformed, unknown).</summary>
    public static readonly Counter<long> DecodeErrors = Meter.CreateCounter<long>("actorfeed.decode_errors");

    /// <summary>actorfeed.data.timeouts: the data watchdog fired (no REAL for data-timeout while data was expected),
    /// tagged with <c>step</c>: <c>reregister</c> (REG of the confirmed items again on the same connection) or
    /// <c>restart</c> (still no REAL: the connection is restarted, cause "no data").</summary>
    public static readonly Counter<long> DataTimeouts = Meter.CreateCounter<long>("actorfeed.data.timeouts");
}
