using Akka.Actor;

namespace ActorFeed.Messages;

/// <summary>
/// Ask the feed for the user's condition searches (조건검색, CNSRLST). Answered with <see cref="ConditionList"/>, or
/// <see cref="ConditionRejected"/> (with a null seq) when the server refuses, or leaves it unanswered twice. Sent while the feed is not connected,
/// it waits for the connection.
/// </summary>
public sealed record ListConditions;

/// <summary>
/// Follow a condition search in real time (CNSRREQ search_type 1). <paramref name="Subscriber"/> (the sender when
/// null) gets one <see cref="ConditionSnapshot"/> with the members now, then a <see cref="ConditionEntered"/> or
/// <see cref="ConditionLeft"/> per change, including the changes that happened while the link was down (marked
/// <c>Recovered</c>), so that applying them in order always gives the server's membership. With
/// <paramref name="TickTypes"/> (e.g. <c>["0B"]</c>) the condition also subscribes the subscriber to those types of
/// every member, and releases them when the member leaves (held apart from the subscriber's own
/// <see cref="Subscribe"/>: neither undoes the other). Refused with <see cref="ConditionRejected"/>: a negative seq,
/// a seq the server does not list, an unknown or per-account tick type, more real-time conditions than
/// <c>actorfeed.conditions.max-realtime</c>, a refusal of the server, or no reply to its request asked twice (once it
/// had members, only an item-class refusal or its seq absent from two lists in a row ends it). Subscribing again with the same subscriber
/// sends a new snapshot and adds its tick types.
/// </summary>
/// <param name="Seq">The condition's seq, as in <see cref="ConditionList"/>.</param>
/// <param name="Subscriber">Who gets the events (the sender when null).</param>
/// <param name="TickTypes">Real-time types to subscribe for every member (none when null or empty).</param>
public sealed record SubscribeCondition(int Seq, IActorRef? Subscriber = null, IReadOnlyList<string>? TickTypes = null);

/// <summary>
/// Stop following a condition (and release the ticks it held for <paramref name="Subscriber"/>). Answered with
/// <see cref="ConditionUnsubscribed"/>. When the last subscriber of a condition leaves (or dies), its real-time search
/// is cleared on the server (CNSRCLR).
/// </summary>
/// <param name="Seq">The condition's seq.</param>
/// <param name="Subscriber">The subscriber to remove (the sender when null).</param>
public sealed record UnsubscribeCondition(int Seq, IActorRef? Subscriber = null);

/// <summary>
/// Run a condition search once (CNSRREQ search_type 0, every page followed). Answered to the sender with
/// <see cref="ConditionSearchResult"/> or <see cref="ConditionRejected"/> (a refusal, or no reply to it asked twice).
/// Sent while the feed is not connected, it waits for the connection.
/// </summary>
/// <param name="Seq">The condition's seq.</param>
public sealed record SearchCondition(int Seq);
