namespace ActorFeed.Messages;

/// <summary>One condition search of the user, as the server lists it (CNSRLST).</summary>
/// <param name="Seq">Its seq: what <see cref="SubscribeCondition"/> and <see cref="SearchCondition"/> take.</param>
/// <param name="Name">Its name.</param>
public sealed record ConditionInfo(int Seq, string Name);

/// <summary>The answer to <see cref="ListConditions"/>: the user's condition searches, in the server's order.</summary>
/// <param name="Conditions">Seq and name of each (entries whose seq is not a number are left out).</param>
public sealed record ConditionList(IReadOnlyList<ConditionInfo> Conditions);

/// <summary>What a subscriber of a condition gets: <see cref="ConditionSnapshot"/>, then <see cref="ConditionEntered"/> /
/// <see cref="ConditionLeft"/>. Applying them in order gives the condition's members on the server.</summary>
/// <param name="Seq">The condition's seq.</param>
public abstract record ConditionEvent(int Seq);

/// <summary>
/// The members of a condition when a subscriber starts following it: right after the server's first answer, or, when
/// the condition is already followed, at once with the members last known.
/// </summary>
/// <param name="Seq">The condition's seq.</param>
/// <param name="Name">Its name.</param>
/// <param name="Codes">The member codes (prefix A / J / Q stripped), in the server's order.</param>
public sealed record ConditionSnapshot(int Seq, string Name, IReadOnlyList<string> Codes) : ConditionEvent(Seq);

/// <summary>A code entered a followed condition.</summary>
/// <param name="Seq">The condition's seq.</param>
/// <param name="Code">The code (prefix stripped).</param>
/// <param name="At">When: the server's time (FID 20, KST) for a real-time change; when the feed noticed it for a recovered one.</param>
/// <param name="Recovered">True when it happened while the link was down: found by comparing the members after the
/// reconnection with the last ones known.</param>
public sealed record ConditionEntered(int Seq, string Code, DateTimeOffset At, bool Recovered) : ConditionEvent(Seq);

/// <summary>A code left a followed condition.</summary>
/// <param name="Seq">The condition's seq.</param>
/// <param name="Code">The code (prefix stripped).</param>
/// <param name="At">When: the server's time (FID 20, KST) for a real-time change; when the feed noticed it for a recovered one.</param>
/// <param name="Recovered">True when it happened while the link was down (see <see cref="ConditionEntered.Recovered"/>).</param>
public sealed record ConditionLeft(int Seq, string Code, DateTimeOffset At, bool Recovered) : ConditionEvent(Seq);

/// <summary>The answer to <see cref="UnsubscribeCondition"/>.</summary>
/// <param name="Seq">The condition's seq.</param>
public sealed record ConditionUnsubscribed(int Seq);

/// <summary>The answer to <see cref="SearchCondition"/>: every member, all pages joined.</summary>
/// <param name="Seq">The condition's seq.</param>
/// <param name="Name">Its name.</param>
/// <param name="Codes">The member codes (prefix stripped), in the server's order.</param>
public sealed record ConditionSearchResult(int Seq, string Name, IReadOnlyList<string> Codes);

/// <summary>
/// A condition request was refused, or a followed condition ended: bad input (nothing was sent to the server), a seq
/// the server does not list, the real-time limit, the server's refusal, or no reply to a request asked twice. A
/// condition that already had members ends only on a definite answer: an item-class refusal of its CNSRREQ, or its seq
/// absent from two server lists in a row (anything else is asked again after a backoff). A subscriber that gets it is
/// no longer subscribed to the condition (and its ticks are released).
/// </summary>
/// <param name="Seq">The condition's seq; null for <see cref="ListConditions"/>.</param>
/// <param name="Reason">Why, for people.</param>
public sealed record ConditionRejected(int? Seq, string Reason);
