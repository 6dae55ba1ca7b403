using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace ActorFeed.Messages;

/// <summary>
/// The field id → value map of one REAL entry, in the order received. Values are not decoded up front: each is a
/// range of the received frame's UTF-8 bytes, turned into a string on first access (and kept), or parsed as a
/// number straight from the bytes (<see cref="TryGetDecimal"/>, <see cref="TryGetInt64"/>) without a string at all.
/// Field ids are interned and the id array is shared by entries with the same layout, so a tick costs a few
/// small objects instead of a string per field. A tick keeps its frame's bytes alive while it is referenced.
/// Safe to read from several threads (a value may be decoded twice, never wrongly).
/// </summary>
internal sealed class FieldValues : IReadOnlyDictionary<string, string>
{
    private readonly string[] _keys;
    private readonly byte[]? _source;
    private readonly int[]? _ranges;          // start, length per field, into _source
    private string?[]? _values;               // decoded (or given) strings

    /// <summary>Up to this many fields a lookup scans the ids; a wider entry (a hostile frame) looks them up in an index.</summary>
    private const int WideThreshold = 32;

    /// <summary>Field id → position of each wide layout, built on its first lookup and shared by the entries of that
    /// layout (the decoder shares id arrays); kept beside the arrays, so a tick carries no field for it.</summary>
    private static readonly ConditionalWeakTable<string[], Dictionary<string, int>> WideIndexes = new();

    /// <summary>A map over ready strings (tests, hand-built ticks).</summary>
    public FieldValues(string[] keys, string[] values)
    {
        if (keys.Length != values.Length) throw new ArgumentException("keys and values differ in length");
        _keys = keys;
        _values = values;
    }

    /// <summary>A map over ranges of <paramref name="source"/>; <paramref name="preset"/> holds values that are not plain ranges (escaped text), else null.</summary>
    internal FieldValues(string[] keys, byte[] source, int[] ranges, string?[]? preset)
    {
        _keys = keys;
        _source = source;
        _ranges = ranges;
        _values = preset;
    }

    public int Count => _keys.Length;
    public IEnumerable<string> Keys => _keys;
    public IEnumerable<string> Values
    {
        get
        {
            for (var i = 0; i < _keys.Length; i++) yield return ValueAt(i);
        }
    }

    public string this[string key] => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"field '{key}' is not in this tick");

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? ValueAt(i) : null;
        return i >= 0;
    }

    /// <summary>A field parsed as a decimal with an optional leading sign, without creating a string.</summary>
    public bool TryGetDecimal(string key, out decimal value)
    {
        value = 0;
        var i = IndexOf(key);
        if (i < 0) return false;
        const NumberStyles Styles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;
        return Utf8(i, out var utf8)
            ? decimal.TryParse(utf8, Styles, CultureInfo.InvariantCulture, out value)
            : decimal.TryParse(ValueAt(i), Styles, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A field parsed as a whole number with an optional leading sign, without creating a string.</summary>
    public bool TryGetInt64(string key, out long value)
    {
        value = 0;
        var i = IndexOf(key);
        if (i < 0) return false;
        return Utf8(i, out var utf8)
            ? long.TryParse(utf8, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)
            : long.TryParse(ValueAt(i), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private bool Utf8(int i, out ReadOnlySpan<byte> utf8)
    {
        if (_ranges is null || _ranges[2 * i] < 0 || _values?[i] is not null)
        {
            utf8 = default;
            return false;
        }
        utf8 = _source.AsSpan(_ranges[2 * i], _ranges[2 * i + 1]);
        return true;
    }

    private string ValueAt(int i)
    {
        var values = _values ??= new string?[_keys.Length];
        return values[i] ??= Encoding.UTF8.GetString(_source!, _ranges![2 * i], _ranges[2 * i + 1]);
    }

    private int IndexOf(string key)
    {
        if (_keys.Length > WideThreshold) return WideIndexes.GetValue(_keys, BuildIndex).TryGetValue(key, out var at) ? at : -1;
        for (var i = 0; i < _keys.Length; i++)
            if (ReferenceEquals(_keys[i], key)) return i;           // interned keys: the common case
        for (var i = 0; i < _keys.Length; i++)
            if (string.Equals(_keys[i], key, StringComparison.Ordinal)) return i;
        return -1;
    }

    /// <summary>Field id → position (the first of equal ids wins, as in the scan).</summary>
    private static Dictionary<string, int> BuildIndex(string[] keys)
    {
        var index = new Dictionary<string, int>(keys.Length, StringComparer.Ordinal);
        for (var i = 0; i < keys.Length; i++) index.TryAdd(keys[i], i);
        return index;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        for (var i = 0; i < _keys.Length; i++) yield return new(_keys[i], ValueAt(i));
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
