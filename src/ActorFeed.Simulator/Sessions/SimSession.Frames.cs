using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;

namespace ActorFeed.Simulator.Sessions;

/// <summary>The client's frames: PING echo, LOGIN, REG / REMOVE, and the replies to them (condition search: SimSession.Conditions.cs).</summary>
internal sealed partial class SimSession
{
    private void Handle(ReadOnlySpan<byte> frame)
    {
        if (frame.SequenceEqual("PING"u8)) { Echoed(); return; }
        string? trnm;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(frame.ToArray());
            trnm = doc.RootElement.TryGetProperty("trnm", out var t) ? t.GetString() : null;
        }
        catch (JsonException)
        {
            return;
        }
        using (doc)
        {
            switch (trnm)
            {
                case "PING": Echoed(); break;
                case "LOGIN": Login(doc.RootElement); break;
                case "REG": Registration(doc.RootElement, register: true); break;
                case "REMOVE": Registration(doc.RootElement, register: false); break;
                case "CNSRLST": ConditionList(); break;
                case "CNSRREQ": ConditionRequest(doc.RootElement); break;
                case "CNSRCLR": ConditionClear(doc.RootElement); break;
            }
        }
    }

    private void Login(JsonElement root)
    {
        var token = root.TryGetProperty("token", out var t) ? t.GetString() : null;
        var appKey = _sim.ValidateToken(token);
        var refusal = appKey is null ? 8005 : _sim.Faults.TakeLoginRejection();
        if (refusal is { } fineCode)
        {
            _sim.Record.Login(false);
            var (code, message) = SimErrors.Login(_sim.Faults.ErrorEnvelope, fineCode);
            Send(Reply("LOGIN", code, message));
            Close(WebSocketCloseStatus.NormalClosure, fineCode == 8005 ? "token invalid" : $"login refused ({fineCode})");
            return;
        }
        AppKey = appKey;
        LoggedIn = true;
        _sim.RecordChange(() =>
        {
            Record.AppKey = appKey;
            Record.LoggedInAt = DateTimeOffset.UtcNow;
        });
        _sim.Record.Login(true);
        Send("""{"trnm":"LOGIN","return_code":0,"return_msg":"","sor_yn":"Y"}"""u8.ToArray());
        _sim.KickOtherSessions(this);
        StartPumps();
    }

    private void Registration(JsonElement root, bool register)
    {
        var trnm = register ? "REG" : "REMOVE";
        if (!LoggedIn)
        {
            Send(Reply(trnm, 1, "로그인이 필요합니다"));
            return;
        }
        var pairs = new List<string>();
        var refresh = !root.TryGetProperty("refresh", out var rf) || rf.GetString() != "0";
        var group = root.TryGetProperty("grp_no", out var g) && g.ValueKind == JsonValueKind.String ? g.GetString()! : "";
        var failure = (string?)null;
        var fineCode = 0;   // the Kiwoom fine code of the failure, or 0 for a plain return_code 1
        if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var d in data.EnumerateArray())
            {
                var items = d.TryGetProperty("item", out var i) && i.ValueKind == JsonValueKind.Array ? i.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];
                var types = d.TryGetProperty("type", out var ty) && ty.ValueKind == JsonValueKind.Array ? ty.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];
                if (items.Count == 0 || types.Count == 0) (failure, fineCode) = ("item and type are required", 0);
                foreach (var item in items)
                foreach (var type in types)
                    pairs.Add(item + "/" + type);
                if (register && items.Any(c => _sim.Faults.RejectRegCodes.ContainsKey(c) || !ValidCode(c))) (failure, fineCode) = ("종목코드가 존재하지 않습니다", UnknownSymbol);
            }
        }
        else (failure, fineCode) = ("data is required", 0);
        if (register && pairs.Count > _sim.Options.MaxItemsPerReg) (failure, fineCode) = ($"too many items ({pairs.Count} > {_sim.Options.MaxItemsPerReg})", 0);
        // a rate limit comes before looking at the request: nothing of it is applied
        if (register && _sim.Faults.TakeRateLimitedReg()) (failure, fineCode) = ("허용된 요청 개수를 초과하였습니다", RateLimit);

        var withheld = _sim.Faults.TakeWithheldRegReply();
        _sim.RecordChange(() =>
        {
            Record.RegistrationFrames.Add(new RegistrationFrame(trnm, group, refresh, pairs, fineCode == 0 ? failure : $"{fineCode}: {failure}", withheld));
            if (withheld) Record.RepliesWithheld++;
            if (register)
            {
                Record.RegRequests.AddRange(pairs);
                if (failure is null)
                {
                    if (!refresh)
                    {
                        Record.Registered.Clear();
                        Record.RegisteredGroups.Clear();
                    }
                    foreach (var p in pairs)
                    {
                        if (!Record.Registered.Add(p)) Record.DuplicateRegistrations++;
                        Record.RegisteredGroups[p] = group;
                    }
                }
            }
            else
            {
                Record.RemoveRequests.AddRange(pairs);
                foreach (var p in pairs)
                {
                    Record.Registered.Remove(p);
                    Record.RegisteredGroups.Remove(p);
                }
            }
        });
        if (failure is null)
        {
            if (register) _ticks.Add(pairs);
            else _ticks.Remove(pairs);
        }
        if (withheld) return;
        if (failure is null) Send(Reply(trnm, 0, ""));
        else if (fineCode == 0) Send(Reply(trnm, 1, failure));
        else if (_sim.Faults.ErrorEnvelope == ErrorEnvelope.FineCode) Send(Reply(trnm, fineCode, failure));
        else Send(Reply(trnm, fineCode == RateLimit ? 5 : 2, $"{failure}[{fineCode}:{failure}]"));   // the fine code inside the message
    }

    private const int UnknownSymbol = 1901;
    private const int RateLimit = 1700;

    private static bool ValidCode(string code) =>
        code.Length == 0 || (code.Length <= 9 && code.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c) || c == '_'));

    private static byte[] Reply(string trnm, int code, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("trnm", trnm);
            w.WriteNumber("return_code", code);
            w.WriteString("return_msg", message);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Forgets every registration, silently (<see cref="KiwoomSimulator.ForgetRegistrations"/>).</summary>
    public void ForgetRegistrations()
    {
        _ticks.Clear();
        _sim.RecordChange(() =>
        {
            Record.Registered.Clear();
            Record.RegisteredGroups.Clear();
            Record.RegistrationsForgotten++;
        });
    }
}
