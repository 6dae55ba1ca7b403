using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using ActorFeed.Supervision;
using ActorFeed.Messages;

namespace ActorFeed.Demo;

/// <summary>
/// Subscriber and EventStream listener that prints what happens: in text mode a readable line per state change,
/// subscription event, gap notice, condition snapshot or change and (at most once a second per code) tick; with --json
/// one JSON object per line on stdout. In text mode it also asks the feed for its status every few seconds and prints the stale codes when they change.
/// </summary>
internal sealed class DemoOutput : ReceiveActor, IWithTimers
{
    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly bool _json;
    private readonly TextWriter _out;
    private readonly Dictionary<string, DateTimeOffset> _lastPrinted = new(StringComparer.Ordinal);
    private readonly IActorRef? _feed;
    private string _stale = "";

    public ITimerScheduler Timers { get; set; } = null!;

    public DemoOutput(bool json, TextWriter output, IActorRef? feed = null)
    {
        _json = json;
        _out = output;
        _feed = feed;
        Receive<SubscriptionGap>(OnGap);
        Receive<FeedStatus>(OnStatus);
        Receive<AskStatus>(_ => _feed?.Tell(GetFeedStatus.Instance));
        Receive<Tick>(OnTick);
        Receive<FeedStatusChanged>(c => OnState(c.Status));
        Receive<SubscriptionConfirmed>(c => OnSubscription(c.Code, c.Type, "confirmed", null));
        Receive<SubscriptionRejected>(r => OnSubscription(r.Code, r.Type, "rejected", r.Reason));
        Receive<SubscriptionRemoved>(r => OnSubscription(r.Code, r.Type, "removed", null));
        Receive<ConditionSnapshot>(OnConditionSnapshot);
        Receive<ConditionEntered>(e => OnConditionChange(e.Seq, e.Code, "entered", e.At, e.Recovered));
        Receive<ConditionLeft>(e => OnConditionChange(e.Seq, e.Code, "left", e.At, e.Recovered));
        Receive<ConditionRejected>(r => Write(new { @event = "condition", at = Now(), seq = r.Seq, change = "rejected", reason = r.Reason },
            $"cond  {r.Seq} rejected: {r.Reason}"));
        Receive<string>(note => Write(new { @event = "note", at = Now(), message = note }, $"==> {note}"));
        Receive<Flush>(_ => Sender.Tell(Flush.Instance));   // everything told before it is written
    }

    /// <summary>Answered once every message told before it has been written (the last state at shutdown).</summary>
    public sealed class Flush
    {
        public static readonly Flush Instance = new();
    }

    public static Props Props(bool json, TextWriter output, IActorRef? feed = null) => Akka.Actor.Props.Create(() => new DemoOutput(json, output, feed));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(FeedStatusChanged));
        if (!_json && _feed is not null)
            Timers.StartPeriodicTimer("status", AskStatus.Instance, TimeSpan.FromSeconds(5));
    }

    private void OnGap(SubscriptionGap g) => Write(new
    {
        @event = "gap", at = Now(), code = g.Code, type = g.Type,
        from = g.From.ToString("O", CultureInfo.InvariantCulture), to = g.To.ToString("O", CultureInfo.InvariantCulture),
        cause = g.Cause, missedVolume = g.MissedVolume,
    }, $"gap   {g.Code}/{g.Type} {g.From.ToLocalTime():HH:mm:ss.fff} -> {g.To.ToLocalTime():HH:mm:ss.fff} ({(g.To - g.From).TotalSeconds:F1} s, {g.Cause}): "
       + (g.MissedVolume is { } v ? $"missed {v:N0} shares" : "missed volume unknown"));

    /// <summary>Text mode: prints the stale codes when the list changes.</summary>
    private void OnStatus(FeedStatus s)
    {
        var stale = string.Join(", ", s.StaleCodes);
        if (stale == _stale) return;
        _stale = stale;
        Write(new { @event = "stale", at = Now(), codes = s.StaleCodes },
            stale.Length == 0 ? "status: no stale code" : $"status {s.State}: stale code(s) {stale} (silent much longer than their usual pace)");
    }

    private sealed class AskStatus
    {
        public static readonly AskStatus Instance = new();
    }

    private void OnTick(Tick t)
    {
        if (_json)
        {
            Write(new { @event = "tick", at = Now(), code = t.Code, type = t.Type, values = t.Values }, "");
            return;
        }
        var key = t.Code + "/" + t.Type;
        if (_lastPrinted.TryGetValue(key, out var last) && t.ReceivedAt - last < TimeSpan.FromSeconds(1)) return;
        _lastPrinted[key] = t.ReceivedAt;
        var line = t.Type == "0B"
            ? $"tick  {t.Code} {t.Name} price {t.Price:N0} ({t["12"]}%) volume {t["15"]} at {t.TradeTime:HH:mm:ss} KST"
            : $"tick  {t.Code} {t.Type} {t.Name} {string.Join(' ', t.Values.Take(4).Select(kv => kv.Key + "=" + kv.Value))}";
        _out.WriteLine(line);
    }

    private void OnConditionSnapshot(ConditionSnapshot s) => Write(
        new { @event = "condition", at = Now(), seq = s.Seq, name = s.Name, change = "snapshot", codes = s.Codes, recovered = false },
        $"cond  {s.Seq} {s.Name}: {s.Codes.Count} member(s){(s.Codes.Count == 0 ? "" : ": " + string.Join(", ", s.Codes))}");

    private void OnConditionChange(int seq, string code, string change, DateTimeOffset at, bool recovered) => Write(
        new { @event = "condition", at = Now(), seq, code, change, recovered },
        $"cond  {seq} {(change == "entered" ? "+" : "-")} {code} {change} "
        + (recovered ? "while the link was down (found after the reconnection)" : $"at {at.ToOffset(TimeSpan.FromHours(9)):HH:mm:ss} KST"));

    private void OnState(FeedStatus s) => Write(new
    {
        @event = "state", at = Now(), state = s.State.ToString(), cause = s.Cause, attempt = s.Attempt,
        nextRetry = s.NextRetryAt?.ToString("O", CultureInfo.InvariantCulture),
    }, $"state {s.State}{(s.Cause is null ? "" : $" (cause: {s.Cause}, attempt {s.Attempt}{(s.NextRetryAt is { } n ? $", next try at {n:HH:mm:ss.fff}" : "")})")}");

    private void OnSubscription(string code, string type, string status, string? reason) =>
        Write(new { @event = "subscription", at = Now(), code, type, status, reason }, $"subscription {code}/{type} {status}{(reason is null ? "" : ": " + reason)}");

    private void Write(object json, string text)
    {
        if (_json) _out.WriteLine(JsonSerializer.Serialize(json, JsonOptions));
        else if (text.Length > 0) _out.WriteLine(text);
        _out.Flush();
    }

    private static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
}
