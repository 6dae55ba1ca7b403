namespace ActorFeed.Conditions;

/// <summary>
/// The members of one condition as last known, and the diff that recovery needs: after a reconnection the server
/// sends the whole member list again, and <see cref="Replace"/> says which codes entered and which left meanwhile.
/// Keeps the server's order (new members at the end). A plain class: no mailbox, tested on its own.
/// </summary>
internal sealed class ConditionMembers
{
    private readonly List<string> _order = [];
    private readonly HashSet<string> _set = new(StringComparer.Ordinal);

    /// <summary>True once a member list came (an empty one included).</summary>
    public bool Known { get; private set; }

    /// <summary>The members, in the server's order.</summary>
    public IReadOnlyList<string> Codes => _order;

    /// <summary>True when <paramref name="code"/> is a member.</summary>
    public bool Contains(string code) => _set.Contains(code);

    /// <summary>
    /// Takes a fresh member list (duplicates ignored) and returns what changed against the last known one: the codes
    /// that entered (in the new list's order) and those that left (in the old order). The first list makes every code
    /// an entry; callers that send a snapshot then use <see cref="Codes"/> instead.
    /// </summary>
    public (IReadOnlyList<string> Entered, IReadOnlyList<string> Left) Replace(IEnumerable<string> codes)
    {
        var fresh = new List<string>();
        var freshSet = new HashSet<string>(StringComparer.Ordinal);
        foreach (var code in codes)
            if (freshSet.Add(code)) fresh.Add(code);
        var entered = fresh.Where(c => !_set.Contains(c)).ToList();
        var left = _order.Where(c => !freshSet.Contains(c)).ToList();
        _order.Clear();
        _order.AddRange(fresh);
        _set.Clear();
        _set.UnionWith(freshSet);
        Known = true;
        return (entered, left);
    }

    /// <summary>A real-time entry: true when <paramref name="code"/> was not a member (a repeated I changes nothing).</summary>
    public bool Enter(string code)
    {
        if (!_set.Add(code)) return false;
        _order.Add(code);
        return true;
    }

    /// <summary>A real-time exit: true when <paramref name="code"/> was a member (a repeated D changes nothing).</summary>
    public bool Leave(string code)
    {
        if (!_set.Remove(code)) return false;
        _order.Remove(code);
        return true;
    }
}
