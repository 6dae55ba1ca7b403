using System.Text;
using System.Text.Json;
using ActorFeed.Messages;

namespace ActorFeed.Kiwoom;

/// <summary>
/// Decodes server frames straight from the received UTF-8 bytes with <see cref="Utf8JsonReader"/>, in one pass,
/// without a DOM. Field ids, types, names and codes are interned per decoder, and REAL values stay ranges of the
/// frame's bytes (see <see cref="FieldValues"/>), so a steady stream of ticks allocates a few small objects per
/// entry. Not thread-safe: one decoder per connection.
/// </summary>
internal sealed class KiwoomDecoder
{
    private const int MaxInterned = 50_000;
    private static readonly byte[] BarePing = "PING"u8.ToArray();
    private readonly Dictionary<string, string> _pool = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public KiwoomDecoder() => _lookup = _pool.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Decodes one complete text frame (copied: ticks keep ranges of their frame's bytes).</summary>
    public KiwoomFrame Decode(ReadOnlySpan<byte> utf8, DateTimeOffset receivedAt) => Decode(utf8.ToArray(), receivedAt);

    /// <summary>
    /// Decodes one complete text frame. Never throws: bad input becomes <see cref="MalformedFrame"/>. The ticks of a
    /// REAL frame read their values from <paramref name="frame"/>: it must not be changed afterwards.
    /// </summary>
    public KiwoomFrame Decode(byte[] frame, DateTimeOffset receivedAt)
    {
        var all = frame.AsSpan();
        var trimmed = all.TrimStart(" \r\n\t"u8);
        var offset = all.Length - trimmed.Length;
        trimmed = trimmed.TrimEnd(" \r\n\t"u8);
        if (trimmed.SequenceEqual(BarePing)) return PingFrame.Instance;
        if (trimmed.IsEmpty) return new MalformedFrame("empty frame");
        try
        {
            _source = frame;
            _sourceOffset = offset;
            return DecodeJson(trimmed, receivedAt);
        }
        catch (JsonException e)
        {
            return new MalformedFrame($"invalid JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            return new MalformedFrame($"unexpected JSON shape: {e.Message}");
        }
        catch (FormatException e)
        {
            return new MalformedFrame($"bad value: {e.Message}");
        }
        finally
        {
            _source = null;
        }
    }

    private byte[]? _source;
    private int _sourceOffset;

    private KiwoomFrame DecodeJson(ReadOnlySpan<byte> utf8, DateTimeOffset receivedAt)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 8 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return new MalformedFrame("frame is not a JSON object");

        string? trnm = null, returnMsg = null, code = null, message = null, seq = null, contYn = null, nextKey = null;
        int? returnCode = null;
        List<Tick>? ticks = null;
        int dataStart = -1, dataLength = 0;   // the data array of a frame other than REAL (or of one whose trnm comes later), read once the trnm is known

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("trnm"u8)) { reader.Read(); trnm = Intern(ref reader); }
            else if (reader.ValueTextEquals("return_code"u8)) { reader.Read(); returnCode = ReadInt(ref reader); }
            else if (reader.ValueTextEquals("return_msg"u8)) { reader.Read(); returnMsg = ReadText(ref reader); }
            else if (reader.ValueTextEquals("code"u8)) { reader.Read(); code = ReadText(ref reader); }
            else if (reader.ValueTextEquals("message"u8)) { reader.Read(); message = ReadText(ref reader); }
            else if (reader.ValueTextEquals("seq"u8)) { reader.Read(); seq = ReadText(ref reader); }
            else if (reader.ValueTextEquals("cont_yn"u8)) { reader.Read(); contYn = ReadText(ref reader); }
            else if (reader.ValueTextEquals("next_key"u8)) { reader.Read(); nextKey = ReadText(ref reader); }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray && trnm == "REAL") ticks = ReadEntries(ref reader, receivedAt, utf8.Length);
                else if (reader.TokenType == JsonTokenType.StartArray)
                {
                    dataStart = (int)reader.TokenStartIndex;
                    reader.Skip();
                    dataLength = (int)reader.BytesConsumed - dataStart;
                }
                else reader.Skip();
            }
            else { reader.Read(); reader.Skip(); }
        }
        if (reader.TokenType != JsonTokenType.EndObject) return new MalformedFrame("truncated JSON object");
        var data = dataStart >= 0 ? utf8.Slice(dataStart, dataLength) : default;
        if (trnm == "REAL" && ticks is null && dataStart >= 0) ticks = ReadEntriesAt(data, dataStart, receivedAt);

        switch (trnm)
        {
            case null: return new MalformedFrame("frame has no trnm");
            case "PING": return PingFrame.Instance;
            case "LOGIN":
                return returnCode is { } lc ? new LoginReplyFrame(lc, returnMsg ?? "") : new MalformedFrame("LOGIN reply without return_code");
            case "REG":
            case "REMOVE":
                return returnCode is { } rc ? new RegistrationReplyFrame(trnm == "REG" ? RegistrationKind.Register : RegistrationKind.Remove, rc, returnMsg ?? "") : new MalformedFrame($"{trnm} reply without return_code");
            case "REAL":
                return ticks is { Count: > 0 } ? new RealFrame(ticks) : new MalformedFrame("REAL frame without entries");
            case "SYSTEM":
                return new SystemFrame(code ?? "", message ?? returnMsg ?? "");
            // condition search: a reply without return_code that carries its data is taken as a success
            case "CNSRLST":
                return new ConditionListFrame(returnCode ?? 0, returnMsg ?? "", dataStart >= 0 ? ReadConditionList(data) : []);
            case "CNSRREQ":
                return new ConditionSearchFrame(returnCode ?? 0, returnMsg ?? "", seq, dataStart >= 0 ? ReadConditionCodes(data) : [],
                    string.Equals(contYn, "Y", StringComparison.OrdinalIgnoreCase), string.IsNullOrEmpty(nextKey) ? null : nextKey);
            case "CNSRCLR":
                return new ConditionClearFrame(returnCode ?? 0, returnMsg ?? "", seq);
            default:
                return new UnknownFrame(trnm);
        }
    }

    /// <summary>The entries of a REAL frame whose data came before its trnm: read from their slice of the frame.</summary>
    private List<Tick> ReadEntriesAt(ReadOnlySpan<byte> data, int start, DateTimeOffset receivedAt)
    {
        var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = 7 });
        reader.Read();
        var outer = _sourceOffset;
        _sourceOffset += start;   // value ranges are positions in the whole frame
        try
        {
            return ReadEntries(ref reader, receivedAt, data.Length);
        }
        finally
        {
            _sourceOffset = outer;
        }
    }

    /// <summary>
    /// CNSRLST data: <c>[["0","조건1"],["1","조건2"]]</c> (seq, name; either may be a number); objects with <c>seq</c> and
    /// <c>name</c> are read too. An entry without a readable seq is left out.
    /// </summary>
    private static List<ConditionEntry> ReadConditionList(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = 7 });
        reader.Read();
        var list = new List<ConditionEntry>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            string? seq = null, name = null;
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                var i = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var text = ReadText(ref reader);
                    if (i == 0) seq = text;
                    else if (i == 1) name = text;
                    i++;
                }
            }
            else if (reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("seq"u8)) { reader.Read(); seq = ReadText(ref reader); }
                    else if (reader.ValueTextEquals("name"u8)) { reader.Read(); name = ReadText(ref reader); }
                    else { reader.Read(); reader.Skip(); }
                }
            }
            else reader.Skip();
            seq = seq?.Trim();
            if (!string.IsNullOrEmpty(seq)) list.Add(new ConditionEntry(seq, name ?? ""));
        }
        return list;
    }

    /// <summary>
    /// CNSRREQ data: objects with the code in <c>jmcode</c> (or FID <c>9001</c>), or bare strings; the A / J / Q prefix
    /// is stripped (<see cref="ConditionCodes.Strip"/>). Entries without a code are left out.
    /// </summary>
    private static List<string> ReadConditionCodes(ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data, new JsonReaderOptions { MaxDepth = 7 });
        reader.Read();
        var codes = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            string? code = null;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                string? fid = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("jmcode"u8)) { reader.Read(); code = ReadText(ref reader); }
                    else if (reader.ValueTextEquals("9001"u8)) { reader.Read(); fid = ReadText(ref reader); }
                    else { reader.Read(); reader.Skip(); }
                }
                code ??= fid;
            }
            else if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number) code = ReadText(ref reader);
            else reader.Skip();
            if (ConditionCodes.Strip(code) is { Length: > 0 } stripped) codes.Add(stripped);
        }
        return codes;
    }

    /// <summary>A usual REAL entry takes a few hundred bytes: the list of a frame of <c>n</c> bytes starts at about n / 200
    /// entries (4 to 64), so that a frame of 50 entries does not grow it four times (docs/benchmarks.md).</summary>
    private List<Tick> ReadEntries(ref Utf8JsonReader reader, DateTimeOffset receivedAt, int frameBytes)
    {
        var ticks = new List<Tick>(Math.Clamp(frameBytes / 200, 4, 64));
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw new InvalidOperationException("REAL entry is not an object");
            string? type = null, name = null, item = null;
            FieldValues? values = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8)) { reader.Read(); type = Intern(ref reader); }
                else if (reader.ValueTextEquals("name"u8)) { reader.Read(); name = Intern(ref reader); }
                else if (reader.ValueTextEquals("item"u8)) { reader.Read(); item = Intern(ref reader); }
                else if (reader.ValueTextEquals("values"u8)) { reader.Read(); values = ReadValues(ref reader); }
                else { reader.Read(); reader.Skip(); }
            }
            if (type is null || values is null) throw new InvalidOperationException("REAL entry without type or values");
            ticks.Add(new Tick(item ?? "", type, name ?? "", values, receivedAt));
        }
        return ticks;
    }

    /// <summary>Up to this many fields an entry finds a repeated field id by scanning; past it, through a dictionary.</summary>
    internal const int IndexThreshold = 32;
    private const int KeptBufferCapacity = 1024;               // buffers grown past this by a wide entry are let go
    private List<string> _keyBuffer = new(32);
    private List<int> _rangeBuffer = new(64);
    private List<string?> _presetBuffer = new(32);
    private readonly string[]?[] _layouts = new string[4][];   // recent field-id arrays, shared by entries alike
    private int _nextLayout;

    /// <summary>
    /// Reads one entry's values in time linear in its size: the usual entry (about 15 fields) finds a repeated field
    /// id by scanning the ids read so far, without allocating; an entry past <see cref="IndexThreshold"/> fields
    /// switches to a dictionary of its own, so a hostile frame of 200,000 fields costs 200,000 lookups, not 10^10
    /// comparisons on the receive thread.
    /// </summary>
    private FieldValues ReadValues(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new InvalidOperationException("values is not an object");
        _keyBuffer.Clear();
        _rangeBuffer.Clear();
        _presetBuffer.Clear();
        Dictionary<string, int>? index = null;
        var anyPreset = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = Intern(ref reader);
            reader.Read();
            int start = -1, length = 0;
            string? preset = null;
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number && !reader.ValueIsEscaped && !reader.HasValueSequence)
            {
                start = _sourceOffset + (int)reader.TokenStartIndex + (reader.TokenType == JsonTokenType.String ? 1 : 0);
                length = reader.ValueSpan.Length;
            }
            else
            {
                preset = ReadText(ref reader) ?? "";
                anyPreset = true;
            }
            int existing;
            if (index is null && _keyBuffer.Count < IndexThreshold) existing = _keyBuffer.IndexOf(key);
            else existing = (index ??= IndexOf(_keyBuffer)).TryGetValue(key, out var at) ? at : -1;
            if (existing >= 0)                                        // a repeated field: the last one wins, in the first one's place
            {
                _rangeBuffer[2 * existing] = start;
                _rangeBuffer[2 * existing + 1] = length;
                _presetBuffer[existing] = preset;
            }
            else
            {
                index?.Add(key, _keyBuffer.Count);
                _keyBuffer.Add(key);
                _rangeBuffer.Add(start);
                _rangeBuffer.Add(length);
                _presetBuffer.Add(preset);
            }
        }
        var values = new FieldValues(Layout(), _source!, _rangeBuffer.ToArray(), anyPreset ? _presetBuffer.ToArray() : null);
        if (_keyBuffer.Count > KeptBufferCapacity)
        {
            _keyBuffer = new(32);
            _rangeBuffer = new(64);
            _presetBuffer = new(32);
        }
        return values;
    }

    private static Dictionary<string, int> IndexOf(List<string> keys)
    {
        var index = new Dictionary<string, int>(keys.Count * 2, StringComparer.Ordinal);
        for (var i = 0; i < keys.Count; i++) index.Add(keys[i], i);
        return index;
    }

    /// <summary>The field ids just read, as an array shared with earlier entries of the same layout.</summary>
    private string[] Layout()
    {
        foreach (var layout in _layouts)
        {
            if (layout is null || layout.Length != _keyBuffer.Count) continue;
            var same = true;
            for (var i = 0; i < layout.Length && same; i++) same = ReferenceEquals(layout[i], _keyBuffer[i]);
            if (same) return layout;
        }
        var keys = _keyBuffer.ToArray();
        _layouts[_nextLayout] = keys;
        _nextLayout = (_nextLayout + 1) % _layouts.Length;
        return keys;
    }

    private static int? ReadInt(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number => reader.GetInt32(),
        JsonTokenType.String => int.TryParse(reader.GetString(), out var n) ? n : throw new FormatException("return_code is not a number"),
        JsonTokenType.Null => null,
        _ => throw new FormatException($"return_code is a {reader.TokenType}"),
    };

    private static string? ReadText(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String: return reader.GetString();
            case JsonTokenType.Number: return Encoding.UTF8.GetString(reader.ValueSpan);
            case JsonTokenType.Null: return null;
            case JsonTokenType.True: return "true";
            case JsonTokenType.False: return "false";
            default: reader.Skip(); return null;
        }
    }

    /// <summary>Reads a short string token (property name or string value) through the intern pool.</summary>
    private string Intern(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
            throw new InvalidOperationException($"expected a string, got {reader.TokenType}");
        if (reader.HasValueSequence || reader.ValueIsEscaped || reader.ValueSpan.Length > 64)
            return reader.GetString()!;
        Span<char> chars = stackalloc char[64];
        var n = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
        if (_lookup.TryGetValue(chars[..n], out var s)) return s;
        s = new string(chars[..n]);
        if (_pool.Count < MaxInterned) _pool[s] = s;
        return s;
    }
}
