using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace ActorFeed.Simulator;

/// <summary>The HTTP control endpoint: the fault switches for scripts and people (POST), and the record (GET /sim/state).</summary>
internal static class SimulatorControl
{
    public static void Map(WebApplication app, KiwoomSimulator sim)
    {
        app.MapPost("/sim/drop", (string? mode) =>
        {
            var m = mode switch
            {
                null or "1000" => DropMode.NormalClosure,
                "1001" => DropMode.GoingAway,
                "1011" => DropMode.InternalError,
                "abort" => DropMode.Abort,
                _ => (DropMode?)null,
            };
            return m is { } d ? Results.Ok(new { dropped = sim.DropAllSessions(d) }) : Results.BadRequest(new { error = "mode must be 1000, 1001, 1011 or abort" });
        });
        app.MapPost("/sim/silence", () => Results.Ok(new { silenced = sim.SilenceAllSessions() }));
        app.MapPost("/sim/reject-logins", (int? count, int? code) =>
        {
            sim.Faults.RejectNextLogins(count ?? 1, code ?? 8005);
            return Results.Ok(new { rejectNext = count ?? 1, code = code ?? 8005 });
        });
        app.MapPost("/sim/error-envelope", (string? mode) =>
        {
            ErrorEnvelope? e = mode switch { "fine" => ErrorEnvelope.FineCode, "coarse" => ErrorEnvelope.Coarse, _ => null };
            if (e is null) return Results.BadRequest(new { error = "mode must be fine or coarse" });
            sim.Faults.ErrorEnvelope = e.Value;
            return Results.Ok(new { errorEnvelope = e.Value.ToString() });
        });
        app.MapPost("/sim/expire-tokens", () => { sim.ExpireAllTokens(); return Results.Ok(new { expired = true }); });
        app.MapPost("/sim/refuse", (double? seconds) =>
        {
            sim.RefuseConnectionsFor(TimeSpan.FromSeconds(seconds ?? 5));
            return Results.Ok(new { refuseUntil = sim.Faults.RefuseConnectionsUntil });
        });
        app.MapPost("/sim/token-fault", (string? mode, int? http) =>
        {
            TokenFault? f = mode switch { "none" => TokenFault.None, "500" => TokenFault.Http500, "8001" => TokenFault.BadCredentials8001, "1700" => TokenFault.RateLimit1700, _ => null };
            if (f is null) return Results.BadRequest(new { error = "mode must be none, 500, 8001 or 1700" });
            if (http is < 200 or > 599) return Results.BadRequest(new { error = "http must be an HTTP status, 200-599" });
            sim.Faults.TokenFault = f.Value;
            sim.Faults.TokenErrorHttpStatus = http ?? 200;
            return Results.Ok(new { tokenFault = f.Value.ToString(), http = sim.Faults.TokenErrorHttpStatus });
        });
        app.MapPost("/sim/reject-reg", (string? codes) =>
        {
            sim.Faults.RejectRegCodes.Clear();
            foreach (var c in (codes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                sim.Faults.RejectRegCodes[c] = true;
            return Results.Ok(new { rejectReg = sim.Faults.RejectRegCodes.Keys.Order().ToArray() });
        });
        app.MapPost("/sim/rate-limit-regs", (int? count) =>
        {
            if (count is < 0) return Results.BadRequest(new { error = "count must be at least 0" });
            sim.Faults.RateLimitNextRegs(count ?? 1);
            return Results.Ok(new { rateLimitNext = count ?? 1 });
        });
        app.MapPost("/sim/withhold-replies", (string? mode, int? count) =>
        {
            if (count is { } n)
            {
                if (mode is not null || n < 0) return Results.BadRequest(new { error = "give either count=N (N >= 0) or mode=on|off" });
                sim.Faults.WithholdNextRegReplies(n);
                return Results.Ok(new { withholdNext = n });
            }
            switch (mode ?? "on")
            {
                case "on": sim.Faults.WithholdRegReplies = true; break;
                case "off": sim.Faults.WithholdRegReplies = false; break;
                default: return Results.BadRequest(new { error = "mode must be on or off" });
            }
            return Results.Ok(new { withholdRegReplies = sim.Faults.WithholdRegReplies });
        });
        app.MapPost("/sim/bad-frames", (int? count) => { sim.InjectBadFrames(count ?? 1); return Results.Ok(new { injected = count ?? 1 }); });
        app.MapPost("/sim/slow", (int? ms) => { sim.Faults.SendDelay = TimeSpan.FromMilliseconds(ms ?? 0); return Results.Ok(new { sendDelayMs = ms ?? 0 }); });
        app.MapPost("/sim/duplicate-login", () => { sim.SimulateDuplicateLogin(); return Results.Ok(new { kicked = true }); });
        app.MapPost("/sim/clear", () => { sim.Faults.Clear(); return Results.Ok(new { cleared = true }); });
        app.MapGet("/sim/state", () => Results.Ok(sim.Record.Read(r => new
        {
            r.ConnectionAttempts,
            r.RefusedConnections,
            r.TokenRequests,
            r.TokensIssued,
            r.TokenRevokes,
            r.LoginsAccepted,
            r.LoginsRejected,
            sessions = r.Sessions.Select(s => new
            {
                s.Id, s.AppKey, s.OpenedAt, s.LoggedInAt, s.ClosedAt, s.ClosedAtMicros, s.CloseReason,
                registered = s.Registered.Count,
                registeredByGroup = s.RegisteredGroups.GroupBy(g => g.Value).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
                s.DuplicateRegistrations, s.RepliesWithheld, s.PingsEchoed, s.TicksSent, s.TicksConflated,
                s.RegistrationsForgotten,
                s.ConditionListRequests,
                conditionRequests = s.ConditionRequests.Count,
                activeConditions = s.ActiveConditions.Order(StringComparer.Ordinal).ToArray(),
                s.ConditionPushes,
            }).ToArray(),
            marketClosed = sim.Faults.MarketClosed,
            conditions = sim.Conditions.Conditions.Select(c => new { c.Seq, c.Name, members = r.ConditionMembers(c.Seq) }).ToArray(),
            conditionChanges = r.ConditionChanges.Count,
            conditionChangesPerMinute = sim.Options.ConditionChangesPerMinute,
        })));
        app.MapPost("/sim/forget-registrations", () => Results.Ok(new { forgotten = sim.ForgetRegistrations() }));
        app.MapPost("/sim/condition-change", (string? seq, int? enter, int? leave, string? codesIn, string? codesOut) =>
        {
            if (seq is null || !sim.Conditions.Exists(seq)) return Results.BadRequest(new { error = $"seq must be one of {string.Join(", ", sim.Conditions.Conditions.Select(c => c.Seq))}" });
            if (enter is < 0 || leave is < 0) return Results.BadRequest(new { error = "enter and leave must be at least 0" });
            static string[] Split(string? codes) => (codes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var (codesEntering, codesLeaving) = (Split(codesIn), Split(codesOut));
            if (codesEntering.Concat(codesLeaving).Any(c => c.Length != 6 || !c.All(char.IsAsciiDigit)))
                return Results.BadRequest(new { error = "codesIn and codesOut are 6-digit codes without prefix, comma-separated" });
            if ((enter is not null || leave is not null) && (codesEntering.Length > 0 || codesLeaving.Length > 0))
                return Results.BadRequest(new { error = "give either enter=N&leave=M or codesIn=A,B&codesOut=C" });
            var changes = codesEntering.Length > 0 || codesLeaving.Length > 0
                ? sim.ChangeCondition(seq, codesEntering, codesLeaving)
                : sim.ChangeCondition(seq, enter ?? 0, leave ?? 0);
            return Results.Ok(new { changes, members = sim.Record.ConditionMembers(seq) });
        });
        app.MapPost("/sim/condition-rate", (double? perMinute) =>
        {
            if (perMinute is not { } rate || rate < 0 || rate > 60_000) return Results.BadRequest(new { error = "perMinute must be a number from 0 to 60000" });
            sim.Options.ConditionChangesPerMinute = rate;
            return Results.Ok(new { conditionChangesPerMinute = rate });
        });
        app.MapPost("/sim/market", (string? state) =>
        {
            switch (state)
            {
                case "closed": sim.Faults.MarketClosed = true; break;
                case "open": sim.Faults.MarketClosed = false; break;
                default: return Results.BadRequest(new { error = "state must be closed or open" });
            }
            return Results.Ok(new { marketClosed = sim.Faults.MarketClosed });
        });
    }
}
