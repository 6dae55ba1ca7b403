namespace ActorFeed.Messages;

/// <summary>
/// The data of a code and type was interrupted and flows again: sent once to each subscriber of the pair when the pair is
/// confirmed and ticking again after an interruption (link lost, no data, resubscription), so that a strategy knows it
/// did not see what happened between <see cref="From"/> and <see cref="To"/>, and, for trades, how much of it.
/// </summary>
/// <param name="Code">Instrument code.</param>
/// <param name="Type">Real-time type, e.g. "0B".</param>
/// <param name="From">When the last tick before the interruption was received (<see cref="Tick.ReceivedAt"/>); when none came
/// before it, when the pair was confirmed.</param>
/// <param name="To">When the first tick after the interruption was received (<see cref="Tick.ReceivedAt"/>).</param>
/// <param name="Cause">Why the data stopped, e.g. "server closed the connection", "no data".</param>
/// <param name="MissedVolume">For type 0B (주식체결): the volume traded that this subscriber did not see, in shares: field 13
/// (cumulative volume) of the first tick after, minus field 13 of the last tick before, minus the first tick's own trade
/// volume (|field 15|); 0 when nothing was missed. Null when unknown: another type, no tick before the interruption, a
/// field missing, or a negative result (field 13 restarts with a new trading day).</param>
public sealed record SubscriptionGap(string Code, string Type, DateTimeOffset From, DateTimeOffset To, string Cause, long? MissedVolume);
