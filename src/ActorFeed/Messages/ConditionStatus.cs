namespace ActorFeed.Messages;

/// <summary>
/// Ask the feed which condition searches it follows in real time (every <see cref="SubscribeCondition"/> with a
/// subscriber left) and how each stands: answered with <see cref="ConditionStatus"/>. Read-only: it sends the server
/// nothing (for the user's whole list, see <see cref="ListConditions"/>). Fit to be asked about once a second.
/// </summary>
/// <param name="MaxMembers">At most this many member codes per condition in <see cref="FollowedCondition.Members"/> (the
/// first ones, in the server's order; <see cref="FollowedCondition.MemberCount"/> always counts all of them). Default 20;
/// 0 gives none, a negative value is taken as 0.</param>
public sealed record GetConditionStatus(int MaxMembers = 20);

/// <summary>The answer to <see cref="GetConditionStatus"/>.</summary>
/// <param name="Conditions">Each followed condition, by seq.</param>
/// <param name="At">When it was taken (the feed's clock).</param>
public sealed record ConditionStatus(IReadOnlyList<FollowedCondition> Conditions, DateTimeOffset At);

/// <summary>Where a followed condition stands on the current connection (<see cref="FollowedCondition.State"/>).</summary>
public enum FollowedConditionState
{
    /// <summary>The feed has no logged-in connection: the condition is asked again (CNSRREQ real-time) once it has one.</summary>
    WaitingForConnection,
    /// <summary>Connected; the condition's first member list is asked (CNSRLST, then CNSRREQ real-time) and not answered yet.</summary>
    Requesting,
    /// <summary>Connected again after the link was lost; the member list is asked again and not answered yet: once it comes,
    /// the codes that entered or left meanwhile go to every subscriber marked <c>Recovered</c>.</summary>
    Recovering,
    /// <summary>The server answered the member list on this connection: changes arrive in real time.</summary>
    Live,
    /// <summary>Connected; the condition's last request failed (refused, or no reply within the request timeout, or the
    /// server's list refused or lacking it once) and it is asked again at <see cref="FollowedCondition.NextRetryAt"/>
    /// (the reason in <see cref="FollowedCondition.LastError"/>); it stays followed meanwhile.</summary>
    Retrying,
}

/// <summary>One condition search the feed follows (<see cref="ConditionStatus"/>).</summary>
/// <param name="Seq">The condition's seq.</param>
/// <param name="Name">Its name as the server lists it; empty until the server's list has been seen.</param>
/// <param name="State">Where it stands on the current connection.</param>
/// <param name="MemberCount">How many codes are members as last known (0 before the first member list).</param>
/// <param name="Members">The first members as last known, in the server's order, at most
/// <see cref="GetConditionStatus.MaxMembers"/>.</param>
/// <param name="Subscribers">How many subscribers follow it.</param>
/// <param name="TickTypes">The tick types it holds for its members (the union over its subscribers), sorted; empty when none.</param>
/// <param name="LastChange">The last change of its membership sent to the subscribers (real-time or recovered); null when none yet.</param>
/// <param name="Changes">Changes of its membership sent to the subscribers since it is followed, recovered ones included
/// (the first member list is not a change).</param>
/// <param name="RecoveredChanges">Of <paramref name="Changes"/>, those found after a reconnection (<c>Recovered</c>).</param>
/// <param name="LastError">Why its last request failed (the server's message, or "no reply ... within ..."), until a member
/// list comes; null when none failed since.</param>
/// <param name="NextRetryAt">When it is asked again (<see cref="FollowedConditionState.Retrying"/>); null when no retry waits.</param>
public sealed record FollowedCondition(
    int Seq,
    string Name,
    FollowedConditionState State,
    int MemberCount,
    IReadOnlyList<string> Members,
    int Subscribers,
    IReadOnlyList<string> TickTypes,
    ConditionMemberChange? LastChange,
    long Changes,
    long RecoveredChanges,
    string? LastError = null,
    DateTimeOffset? NextRetryAt = null);

/// <summary>A change of a condition's membership (<see cref="FollowedCondition.LastChange"/>), as the subscribers were told it
/// with <see cref="ConditionEntered"/> or <see cref="ConditionLeft"/>.</summary>
/// <param name="Code">The code (prefix stripped).</param>
/// <param name="Entered">True when it entered the condition, false when it left.</param>
/// <param name="At">When: the server's time for a real-time change; when the feed noticed it for a recovered one.</param>
/// <param name="Recovered">True when it happened while the link was down.</param>
public sealed record ConditionMemberChange(string Code, bool Entered, DateTimeOffset At, bool Recovered);
