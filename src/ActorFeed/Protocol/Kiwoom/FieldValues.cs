using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace ActorFeed.Protocol.Kiwoom;

/// <summary>
/// The field id → value map of one REAL entry, as two exact-size arrays in the order received. A REAL entry
/// has a dozen or two fields, so a linear lookup over interned keys beats a hash table and allocates about
/// half as much per tick.
/// </summary>
public sealed class FieldValues : IReadOnlyDictionary<string, string>
{
    private readonly string[] _keys;
    private readonly string[] _values;

    public FieldValues(string[] keys, string[] values)
    {
        if (keys.Length != values.Length) throw new ArgumentException("keys and values differ in length");
        _keys = keys;
        _values = values;
    }

    public int Count => _keys.Length;
    public IEnumerable<string> Keys => _keys;
    public IEnumerable<string> Values => _values;

    public string this[string key] => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"field '{key}' is not in this tick");

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? _values[i] : null;
        return i >= 0;
    }

    private int IndexOf(string key)
    {
        for (var i = 0; i < _keys.Length; i++)
            if (ReferenceEquals(_keys[i], key)) return i;           // interned keys: the common case
        for (var i = 0; i < _keys.Length; i++)
            if (string.Equals(_keys[i], key, StringComparison.Ordinal)) return i;
        return -1;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < _keys.Length; i++) yield return new(_keys[i], _values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
