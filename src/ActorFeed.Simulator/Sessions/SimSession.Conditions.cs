using System.Buffers;
using System.Text.Json;

namespace ActorFeed.Simulator.Sessions;

/// <summary>
/// Condition search (조건검색) on the session: CNSRLST (the list), CNSRREQ (search_type 0: a paged one-shot member list;
/// 1: the members now, then REAL type 02 pushes of every change), CNSRCLR (no more pushes of that condition). The
/// list-first rule: a CNSRREQ before any CNSRLST on the connection gets no reply at all (Kiwoom's own example warns it
/// is "not answered reliably"; a client must send CNSRLST first and time out a request that gets no answer).
/// </summary>
internal sealed partial class SimSession
{
    private volatile bool _conditionsListed;

    /// <summary>return_code of every condition refusal (an unknown seq, the real-time cap, a bad request).</summary>
    internal const int ConditionRefused = 1;

    private static readonly JsonWriterOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private void ConditionList()
    {
        if (!LoggedIn) { Send(Reply("CNSRLST", 1, "로그인이 필요합니다")); return; }
        _conditionsListed = true;
        _sim.RecordChange(() => Record.ConditionListRequests++);
        Send(Json(w =>
        {
            w.WriteString("trnm", "CNSRLST");
            w.WriteNumber("return_code", 0);
            w.WriteString("return_msg", "");
            w.WriteStartArray("data");
            foreach (var c in _sim.Conditions.Conditions)
            {
                w.WriteStartArray();
                w.WriteStringValue(c.Seq);
                w.WriteStringValue(c.Name);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }));
    }

    private void ConditionRequest(JsonElement root)
    {
        if (!LoggedIn) { Send(Reply("CNSRREQ", 1, "로그인이 필요합니다")); return; }
        var seq = Str(root, "seq") ?? "";
        var searchType = Str(root, "search_type") is { Length: > 0 } st ? st : "0";
        var continued = Str(root, "cont_yn") == "Y";
        var nextKey = continued ? Str(root, "next_key") ?? "" : null;
        var listed = _conditionsListed;

        void Done(int? code, string message, int members) => _sim.RecordChange(() =>
            Record.ConditionRequests.Add(new ConditionRequest("CNSRREQ", seq, searchType, listed, nextKey, code, message, members)));
        void Refuse(string message)
        {
            Done(ConditionRefused, message, 0);
            Send(ConditionReply("CNSRREQ", seq, ConditionRefused, message));
        }

        if (!listed) { Done(null, "no CNSRLST before it on this connection: not answered", 0); return; }
        if (!_sim.Conditions.Exists(seq)) { Refuse($"조건검색식이 존재하지 않습니다 (seq '{seq}')"); return; }
        switch (searchType)
        {
            case "0":
                if (continued && nextKey!.Length == 0) { Refuse("연속조회키(next_key)가 없습니다"); return; }
                _sim.Conditions.WithMembers(seq, members =>
                {
                    var rest = nextKey is null ? members : members.Where(m => string.CompareOrdinal(m, nextKey) > 0).ToList();
                    var page = rest.Take(Math.Max(1, _sim.Options.ConditionPageSize)).ToList();
                    var more = rest.Count > page.Count;
                    Done(0, "", page.Count);
                    Send(Json(w =>
                    {
                        WriteHead(w, "CNSRREQ", seq, 0, "");
                        w.WriteString("cont_yn", more ? "Y" : "N");
                        w.WriteString("next_key", more ? page[^1] : "");
                        w.WriteStartArray("data");
                        foreach (var code in page)
                        {
                            // search_type 0 rows are quote rows: 9001 the code with its prefix, 302 the name
                            w.WriteStartObject();
                            w.WriteString("9001", "A" + code);
                            w.WriteString("302", _sim.Conditions.NameOf(code) ?? code);
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                    }));
                });
                return;
            case "1":
                _sim.Conditions.Activate(this, seq, _sim.Options.MaxRealTimeConditions, members =>
                {
                    if (members is null)
                    {
                        Refuse($"실시간 조건검색은 최대 {_sim.Options.MaxRealTimeConditions}개까지 요청할 수 있습니다");
                        return;
                    }
                    Done(0, "", members.Count);
                    Send(Json(w =>
                    {
                        WriteHead(w, "CNSRREQ", seq, 0, "");
                        w.WriteString("cont_yn", "N");
                        w.WriteString("next_key", "");
                        w.WriteStartArray("data");
                        foreach (var code in members)
                        {
                            w.WriteStartObject();
                            w.WriteString("jmcode", "A" + code);
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                    }));
                });
                return;
            default:
                Refuse($"search_type은 0 또는 1이어야 합니다 ('{searchType}')");
                return;
        }
    }

    private void ConditionClear(JsonElement root)
    {
        if (!LoggedIn) { Send(Reply("CNSRCLR", 1, "로그인이 필요합니다")); return; }
        var seq = Str(root, "seq") ?? "";
        var listed = _conditionsListed;
        if (!_sim.Conditions.Exists(seq))
        {
            var message = $"조건검색식이 존재하지 않습니다 (seq '{seq}')";
            _sim.RecordChange(() => Record.ConditionRequests.Add(new ConditionRequest("CNSRCLR", seq, "", listed, null, ConditionRefused, message, 0)));
            Send(ConditionReply("CNSRCLR", seq, ConditionRefused, message));
            return;
        }
        _sim.Conditions.Deactivate(this, seq, () =>
        {
            _sim.RecordChange(() => Record.ConditionRequests.Add(new ConditionRequest("CNSRCLR", seq, "", listed, null, 0, "", 0)));
            Send(ConditionReply("CNSRCLR", seq, 0, ""));
        });
    }

    /// <summary>Queues the REAL type 02 entry of <paramref name="change"/> (called under the condition book's lock).</summary>
    public void PushConditionChange(ConditionChange change)
    {
        if (_isSilent) return;
        var code = "A" + change.Code;
        Send(Json(w =>
        {
            w.WriteString("trnm", "REAL");
            w.WriteStartArray("data");
            w.WriteStartObject();
            w.WriteString("type", "02");
            w.WriteString("name", "조건검색");
            w.WriteString("item", code);
            w.WriteStartObject("values");
            w.WriteString("841", change.Seq);
            w.WriteString("9001", code);
            w.WriteString("843", change.Entered ? "I" : "D");
            w.WriteString("20", ConditionBook.KstTime(change.At));
            w.WriteString("907", "2");
            w.WriteString("9081", "1");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        }));
        _sim.RecordChange(() => Record.ConditionPushes++);
    }

    private static string? Str(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static void WriteHead(Utf8JsonWriter w, string trnm, string seq, int code, string message)
    {
        w.WriteString("trnm", trnm);
        w.WriteString("seq", seq);
        w.WriteNumber("return_code", code);
        w.WriteString("return_msg", message);
    }

    private static byte[] ConditionReply(string trnm, string seq, int code, string message) => Json(w => WriteHead(w, trnm, seq, code, message));

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, Relaxed))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
