using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;

namespace ActorFeed.Simulator.Sessions;

/// <summary>The client's frames: PING echo, LOGIN, REG / REMOVE, and the replies to them.</summary>
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
            }
        }
    }

    private void Login(JsonElement root)
    {
        var token = root.TryGetProperty("token", out var t) ? t.GetString() : null;
        var appKey = _sim.ValidateToken(token);
        if (appKey is null || _sim.Faults.TakeLoginRejection())
        {
            _sim.Record.Login(false);
            Send("""{"trnm":"LOGIN","return_code":805004,"return_msg":"토큰 인증에 실패했습니다. 접속을 종료합니다 [CODE=8005, MESSAGE=Token이 유효하지 않습니다]"}"""u8.ToArray());
            Close(WebSocketCloseStatus.NormalClosure, "token invalid");
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
        if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var d in data.EnumerateArray())
            {
                var items = d.TryGetProperty("item", out var i) && i.ValueKind == JsonValueKind.Array ? i.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];
                var types = d.TryGetProperty("type", out var ty) && ty.ValueKind == JsonValueKind.Array ? ty.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];
                if (items.Count == 0 || types.Count == 0) failure = "item and type are required";
                foreach (var item in items)
                foreach (var type in types)
                    pairs.Add(item + "/" + type);
                if (register && items.Any(c => _sim.Faults.RejectRegCodes.ContainsKey(c))) failure = "등록 실패";
                if (register && items.Any(c => !ValidCode(c))) failure = "잘못된 종목코드";
            }
        }
        else failure = "data is required";
        if (register && pairs.Count > _sim.Options.MaxItemsPerReg) failure = $"too many items ({pairs.Count} > {_sim.Options.MaxItemsPerReg})";

        var withheld = _sim.Faults.TakeWithheldRegReply();
        _sim.RecordChange(() =>
        {
            Record.RegistrationFrames.Add(new RegistrationFrame(trnm, group, refresh, pairs, failure, withheld));
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
        if (!withheld) Send(failure is null ? Reply(trnm, 0, "") : Reply(trnm, 1, failure));
    }

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
