using System.Buffers;
using System.Text.Json;

namespace ActorFeed.Kiwoom;

/// <summary>Builds client frames as UTF-8 JSON.</summary>
internal static class KiwoomEncoder
{
    /// <summary><c>{"trnm":"LOGIN","token":"..."}</c>: the raw token, no "Bearer" prefix.</summary>
    public static byte[] Login(string token) => Write(w =>
    {
        w.WriteString("trnm", "LOGIN");
        w.WriteString("token", token);
    });

    /// <summary>REG (refresh "1": keep what the group has) or REMOVE of items that all share one type.</summary>
    public static byte[] Registration(RegistrationKind kind, string group, string type, IReadOnlyList<RegistrationItem> items) => Write(w =>
    {
        w.WriteString("trnm", kind.Trnm());
        w.WriteString("grp_no", group);
        if (kind == RegistrationKind.Register) w.WriteString("refresh", "1");
        w.WriteStartArray("data");
        w.WriteStartObject();
        w.WriteStartArray("item");
        foreach (var item in items) w.WriteStringValue(item.Code);
        w.WriteEndArray();
        w.WriteStartArray("type");
        w.WriteStringValue(type);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
    });

    /// <summary><c>{"trnm":"CNSRLST"}</c>: the list of the user's condition searches.</summary>
    public static byte[] ConditionList() => Write(w => w.WriteString("trnm", "CNSRLST"));

    /// <summary>
    /// <c>{"trnm":"CNSRREQ","seq":"1","search_type":"1","stex_tp":"K"}</c>: search_type "0" a one-shot search (a next
    /// page with <c>cont_yn</c> "Y" and <paramref name="nextKey"/>), "1" the members now and real-time changes after.
    /// </summary>
    public static byte[] ConditionSearch(string seq, bool realtime, string? nextKey = null) => Write(w =>
    {
        w.WriteString("trnm", "CNSRREQ");
        w.WriteString("seq", seq);
        w.WriteString("search_type", realtime ? "1" : "0");
        w.WriteString("stex_tp", "K");
        if (!realtime)
        {
            w.WriteString("cont_yn", nextKey is null ? "N" : "Y");
            w.WriteString("next_key", nextKey ?? "");
        }
    });

    /// <summary><c>{"trnm":"CNSRCLR","seq":"1"}</c>: stop the real-time search of a condition.</summary>
    public static byte[] ConditionClear(string seq) => Write(w =>
    {
        w.WriteString("trnm", "CNSRCLR");
        w.WriteString("seq", seq);
    });

    /// <summary>
    /// Splits <paramref name="items"/> into batches of one type and at most <paramref name="maxItems"/> items,
    /// keeping the order of first appearance of each type.
    /// </summary>
    public static IEnumerable<IReadOnlyList<RegistrationItem>> Batches(IEnumerable<RegistrationItem> items, int maxItems)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxItems, 1);
        foreach (var byType in items.GroupBy(i => i.Type, StringComparer.Ordinal))
        {
            var batch = new List<RegistrationItem>(Math.Min(maxItems, 128));
            foreach (var item in byType)
            {
                batch.Add(item);
                if (batch.Count == maxItems)
                {
                    yield return batch;
                    batch = new List<RegistrationItem>(Math.Min(maxItems, 128));
                }
            }
            if (batch.Count > 0) yield return batch;
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
