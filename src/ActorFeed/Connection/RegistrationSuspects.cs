using ActorFeed.Kiwoom;

namespace ActorFeed.Connection;

/// <summary>
/// Items of REGs the server refused with an error that names no class (a service error, an unknown code): the first
/// such refusal restarts the link, as any unexplained failure does, and its items become suspects. If a REG with a
/// suspect is refused that way again on a later connection, the error is taken as being about an item: the batch is
/// bisected and the item refused alone is rejected. So one bad item the server answers strangely costs one restart,
/// not a restart loop; a transient service error costs one restart and is forgotten once the items are accepted.
/// One per feed, shared by every incarnation of its connection (only the live one touches it).
/// </summary>
internal sealed class RegistrationSuspects
{
    private readonly HashSet<RegistrationItem> _items = [];

    /// <summary>True when any of <paramref name="items"/> was refused that way before.</summary>
    public bool AnyOf(IEnumerable<RegistrationItem> items) => items.Any(_items.Contains);

    /// <summary>Remembers <paramref name="items"/> as refused without an explanation.</summary>
    public void Add(IEnumerable<RegistrationItem> items) => _items.UnionWith(items);

    /// <summary>Forgets <paramref name="items"/>: the server accepted or rejected them.</summary>
    public void Clear(IEnumerable<RegistrationItem> items) => _items.ExceptWith(items);
}
