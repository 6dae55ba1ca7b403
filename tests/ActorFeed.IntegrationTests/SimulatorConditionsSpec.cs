using System.Net.Http.Json;
using System.Text.Json;
using ActorFeed.IntegrationTests.Support;
using ActorFeed.Simulator;
using Xunit.Abstractions;

namespace ActorFeed.IntegrationTests;

/// <summary>
/// The simulator's condition search (조건검색), through bare clients: CNSRLST, CNSRREQ (paged one-shot, real-time with
/// REAL type 02 pushes), CNSRCLR, the list-first rule, the cap of real-time conditions, unknown seqs, membership that
/// changes while no session is up, and the record (the server's membership) that a client's applied set must equal.
/// </summary>
public sealed class SimulatorConditionsSpec(ITestOutputHelper output) : IntegrationSpec(output)
{
    /// <summary>The four default conditions and eight more ("4" to "11", two members each), so that 11 can be requested.</summary>
    protected override SimulatorOptions SimulatorOptions
    {
        get
        {
            var o = base.SimulatorOptions;
            o.ConditionChangesPerMinute = 0;      // changes only when a spec makes them
            o.ConditionPageSize = 2;
            foreach (var i in Enumerable.Range(4, 8))
                o.Conditions.Add(new SimCondition(i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"조건{i}", [o.ConditionUniverse[i], o.ConditionUniverse[i + 1]]));
            return o;
        }
    }

    private Task<RawKiwoomClient> Client(string appKey) => RawKiwoomClient.ConnectAsync(Sim.RestBaseUrl, Sim.WebSocketUrl, appKey, Wait);

    /// <summary>A logged-in client that has sent CNSRLST (the list-first rule) and got its answer.</summary>
    private async Task<RawKiwoomClient> Listed(string appKey)
    {
        var c = await Client(appKey);
        Assert.Equal(0, (await c.RequestAsync("CNSRLST", new { trnm = "CNSRLST" }, Wait)).GetProperty("return_code").GetInt32());
        return c;
    }

    private static Task<JsonElement> RealTime(RawKiwoomClient c, string seq) =>
        c.RequestAsync("CNSRREQ", new { trnm = "CNSRREQ", seq, search_type = "1", stex_tp = "K" }, Wait);

    private static Task<JsonElement> Clear(RawKiwoomClient c, string seq) => c.RequestAsync("CNSRCLR", new { trnm = "CNSRCLR", seq }, Wait);

    /// <summary>The codes of a reply's data, prefix stripped (jmcode for search_type 1, 9001 for 0).</summary>
    private static List<string> Codes(JsonElement reply, string field = "jmcode") =>
        reply.GetProperty("data").EnumerateArray().Select(d => d.GetProperty(field).GetString()!).Select(Strip).ToList();

    private static string Strip(string code)
    {
        Assert.StartsWith("A", code);    // stocks carry the prefix A
        return code[1..];
    }

    private IReadOnlyList<string> Members(string seq) => Sim.Record.ConditionMembers(seq)!;

    /// <summary>The snapshot with the pushes of <paramref name="seq"/> applied in order.</summary>
    private static SortedSet<string> Applied(IEnumerable<string> snapshot, RawKiwoomClient c, string seq)
    {
        var set = new SortedSet<string>(snapshot, StringComparer.Ordinal);
        foreach (var p in c.ConditionChanges.Where(p => p.Seq == seq))
        {
            if (p.Entered) Assert.True(set.Add(Strip(p.Code)), $"{p.Code} entered {seq} while a member");
            else Assert.True(set.Remove(Strip(p.Code)), $"{p.Code} left {seq} while not a member");
        }
        return set;
    }

    [Fact]
    public async Task Condition_list_must_answer_CNSRLST_with_every_seq_and_name_in_order()
    {
        await using var c = await Client("cond-list");
        var reply = await c.RequestAsync("CNSRLST", new { trnm = "CNSRLST" }, Wait);
        Assert.Equal(0, reply.GetProperty("return_code").GetInt32());
        var listed = reply.GetProperty("data").EnumerateArray().Select(e => (e[0].GetString(), e[1].GetString())).ToList();
        Assert.Equal(Sim.Options.Conditions.Select(x => ((string?)x.Seq, (string?)x.Name)), listed);
        Assert.Equal(("0", "골든크로스"), listed[0]);
        Assert.Equal(1, Sim.Record.Read(r => r.Sessions.Single().ConditionListRequests));
    }

    [Fact]
    public async Task One_shot_search_must_page_its_members_with_cont_yn_and_next_key()
    {
        await using var c = await Listed("cond-page");
        const string seq = "3";                                  // six members, pages of two
        var pages = new List<JsonElement> { await c.RequestAsync("CNSRREQ", new { trnm = "CNSRREQ", seq, search_type = "0", stex_tp = "K" }, Wait) };
        while (pages[^1].GetProperty("cont_yn").GetString() == "Y")
        {
            var nextKey = pages[^1].GetProperty("next_key").GetString();
            Assert.False(string.IsNullOrEmpty(nextKey));
            pages.Add(await c.RequestAsync("CNSRREQ", new { trnm = "CNSRREQ", seq, search_type = "0", stex_tp = "K", cont_yn = "Y", next_key = nextKey }, Wait));
            Assert.True(pages.Count <= 10, "paging does not end");
        }
        Assert.All(pages, p => Assert.Equal(0, p.GetProperty("return_code").GetInt32()));
        Assert.All(pages, p => Assert.Equal(seq, p.GetProperty("seq").GetString()));
        Assert.Equal([2, 2, 2], pages.Select(p => p.GetProperty("data").GetArrayLength()));
        Assert.Equal("", pages[^1].GetProperty("next_key").GetString());
        // one-shot rows are quote rows: the code (with prefix) in 9001, the name in 302
        Assert.Equal(Members(seq), pages.SelectMany(p => Codes(p, "9001")));
        Assert.Equal("LG", pages[0].GetProperty("data")[0].GetProperty("302").GetString());
        Assert.Empty(c.ConditionChanges);
        Sim.ChangeCondition(seq, enter: 1);
        Assert.Empty(Sim.Record.Read(r => r.Sessions.Single().ActiveConditions));    // a one-shot activates nothing
        Sim.Record.Read(r =>
        {
            var requests = r.Sessions.Single().ConditionRequests;
            Assert.Equal([null, pages[0].GetProperty("next_key").GetString(), pages[1].GetProperty("next_key").GetString()], requests.Select(q => q.NextKey));
            Assert.All(requests, q => Assert.True(q.AfterList));
            return true;
        });
        var bad = await c.RequestAsync("CNSRREQ", new { trnm = "CNSRREQ", seq, search_type = "0", stex_tp = "K", cont_yn = "Y", next_key = "" }, Wait);
        Assert.NotEqual(0, bad.GetProperty("return_code").GetInt32());
    }

    [Fact]
    public async Task Real_time_search_must_send_the_members_then_push_every_enter_and_leave()
    {
        await using var c = await Listed("cond-rt");
        const string seq = "0";
        var reply = await RealTime(c, seq);
        Assert.Equal(0, reply.GetProperty("return_code").GetInt32());
        Assert.Equal(seq, reply.GetProperty("seq").GetString());
        var snapshot = Codes(reply);
        Assert.Equal(Members(seq), snapshot);
        Assert.Equal(["000270", "000660", "005380", "005930", "035420"], snapshot);

        var changes = Sim.ChangeCondition(seq, enter: 2, leave: 1);
        Sim.ChangeCondition("1", enter: 1);                     // not active on this session: no push
        Assert.Equal([("000270", false), ("035720", true), ("051910", true)], changes.Select(x => (x.Code, x.Entered)));
        await c.WaitUntilAsync(x => x.ConditionChanges.Count >= 3, Wait, "three pushes");
        var pushes = c.ConditionChanges;
        Assert.Equal(changes.Select(x => (seq, "A" + x.Code, x.Entered)), pushes.Select(p => (p.Seq, p.Code, p.Entered)));
        Assert.All(pushes, p => Assert.Equal(p.Code, p.Item));
        Assert.Equal(changes.Select(x => x.At.ToOffset(TimeSpan.FromHours(9)).ToString("HHmmss", System.Globalization.CultureInfo.InvariantCulture)), pushes.Select(p => p.Time));
        var raw = c.Frames.Last(f => f.Trnm == "REAL").Text;
        Assert.Contains("\"type\":\"02\"", raw);
        Assert.Contains("\"name\":\"조건검색\"", raw);
        Assert.Contains("\"843\":\"I\"", raw);
        Assert.Equal(Members(seq), Applied(snapshot, c, seq));

        // a CNSRREQ 1 for a condition already active answers the members again, and the pushes go on
        var again = await RealTime(c, seq);
        Assert.Equal(Members(seq), Codes(again));
        Assert.Equal(new HashSet<string> { seq }, Sim.Record.Read(r => r.Sessions.Single().ActiveConditions.ToHashSet()));
        Assert.Equal(3, Sim.Record.Read(r => r.Sessions.Single().ConditionPushes));
    }

    [Fact]
    public async Task Clear_must_answer_and_stop_the_pushes_of_that_condition_only()
    {
        await using var c = await Listed("cond-clr");
        await RealTime(c, "0");
        await RealTime(c, "1");
        var cleared = await Clear(c, "0");
        Assert.Equal(0, cleared.GetProperty("return_code").GetInt32());
        Assert.Equal("0", cleared.GetProperty("seq").GetString());

        Sim.ChangeCondition("0", enter: 1, leave: 1);
        Sim.ChangeCondition("1", enter: 1);
        // the push of "1" was queued after the change of "0": a push of "0" would have arrived before it
        await c.WaitUntilAsync(x => x.ConditionChanges.Any(p => p.Seq == "1"), Wait, "push of condition 1");
        Assert.All(c.ConditionChanges, p => Assert.Equal("1", p.Seq));
        Sim.Record.Read(r =>
        {
            var s = r.Sessions.Single();
            Assert.Equal(new HashSet<string> { "1" }, s.ActiveConditions);
            Assert.Equal(["CNSRREQ", "CNSRREQ", "CNSRCLR"], s.ConditionRequests.Select(q => q.Trnm));
            Assert.Equal(1, s.ConditionPushes);
            return true;
        });
    }

    [Fact]
    public async Task Condition_request_before_any_CNSRLST_must_get_no_reply()
    {
        await using var c = await Client("cond-first");
        await c.SendJsonAsync(new { trnm = "CNSRREQ", seq = "0", search_type = "1", stex_tp = "K" });
        await c.RequestAsync("CNSRLST", new { trnm = "CNSRLST" }, Wait);
        // frames are handled in order: once the reply to the next CNSRREQ is here, the first one got none
        var reply = await RealTime(c, "1");
        Assert.Equal(0, reply.GetProperty("return_code").GetInt32());
        Assert.Equal("1", reply.GetProperty("seq").GetString());
        Assert.Single(c.Frames, f => f.Trnm == "CNSRREQ");
        Sim.ChangeCondition("0", enter: 1);
        Sim.ChangeCondition("1", enter: 1);
        await c.WaitUntilAsync(x => x.ConditionChanges.Any(p => p.Seq == "1"), Wait, "push of condition 1");
        Assert.All(c.ConditionChanges, p => Assert.Equal("1", p.Seq));       // the unanswered request activated nothing
        Sim.Record.Read(r =>
        {
            var s = r.Sessions.Single();
            Assert.Equal([(false, (int?)null), (true, 0)], s.ConditionRequests.Select(q => (q.AfterList, q.ReturnCode)));
            Assert.Equal(new HashSet<string> { "1" }, s.ActiveConditions);
            return true;
        });
    }

    [Fact]
    public async Task Eleventh_real_time_condition_of_a_session_must_be_refused()
    {
        await using var c = await Listed("cond-cap");
        foreach (var seq in Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            Assert.Equal(0, (await RealTime(c, seq)).GetProperty("return_code").GetInt32());
        var eleventh = await RealTime(c, "10");
        Assert.Equal(1, eleventh.GetProperty("return_code").GetInt32());
        Assert.Contains("최대 10개", eleventh.GetProperty("return_msg").GetString());
        Assert.False(eleventh.TryGetProperty("data", out _));
        // an active one again does not count; a cleared one makes room
        Assert.Equal(0, (await RealTime(c, "9")).GetProperty("return_code").GetInt32());
        await Clear(c, "9");
        Assert.Equal(0, (await RealTime(c, "10")).GetProperty("return_code").GetInt32());
        Assert.Equal(10, Sim.Record.Read(r => r.Sessions.Single().ActiveConditions.Count));
        Assert.DoesNotContain("9", Sim.Record.Read(r => r.Sessions.Single().ActiveConditions.ToList()));
    }

    [Fact]
    public async Task Unknown_seq_must_be_refused_with_a_non_zero_return_code_and_a_message()
    {
        await using var c = await Listed("cond-unknown");
        foreach (var searchType in new[] { "0", "1" })
        {
            var reply = await c.RequestAsync("CNSRREQ", new { trnm = "CNSRREQ", seq = "99", search_type = searchType, stex_tp = "K" }, Wait);
            Assert.Equal(1, reply.GetProperty("return_code").GetInt32());
            Assert.Equal("99", reply.GetProperty("seq").GetString());
            Assert.Contains("존재하지 않습니다", reply.GetProperty("return_msg").GetString());
        }
        Assert.Equal(1, (await Clear(c, "99")).GetProperty("return_code").GetInt32());
        Assert.Empty(Sim.Record.Read(r => r.Sessions.Single().ActiveConditions));
        Assert.Throws<ArgumentException>(() => Sim.ChangeCondition("99", enter: 1));
        Assert.Throws<ArgumentException>(() => Sim.ChangeCondition("1", ["A005930"], null));     // members carry no prefix
        Assert.Empty(Sim.Record.ConditionChanges);
    }

    [Fact]
    public async Task Membership_changed_while_no_session_is_up_must_show_in_the_next_sessions_snapshot_and_nothing_carries_over()
    {
        const string seq = "2";
        List<string> before;
        await using (var a = await Listed("cond-down-a"))
        {
            before = Codes(await RealTime(a, seq));
            await a.CloseAsync();
        }
        await Sim.Record.WaitUntilAsync(r => r.Sessions[0].ClosedAt is not null, Wait, "first session closed");
        Assert.Empty(Sim.Record.Read(r => r.Sessions[0].ActiveConditions));

        var changes = Sim.ChangeCondition(seq, enter: 2, leave: 1);        // the outage: no session to push to
        Assert.Equal(3, changes.Count);
        Assert.Equal(0, Sim.Record.Read(r => r.Sessions[0].ConditionPushes));

        await using var b = await Listed("cond-down-b");
        // a new session has no active condition: a change now is pushed to nobody
        Sim.ChangeCondition(seq, enter: 1);
        var after = Codes(await RealTime(b, seq));
        Assert.Empty(b.ConditionChanges);
        var expected = new SortedSet<string>(before, StringComparer.Ordinal);
        foreach (var x in Sim.Record.ConditionChanges.Where(x => x.Seq == seq))
            if (x.Entered) expected.Add(x.Code);
            else expected.Remove(x.Code);
        Assert.Equal(expected, after);
        Assert.Equal(Members(seq), after);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public async Task Record_membership_must_equal_every_clients_snapshot_plus_the_pushes_it_applied_under_automatic_churn()
    {
        var seqs = new[] { "0", "1", "2", "3" };
        await using var a = await Listed("cond-churn-a");
        await using var b = await Listed("cond-churn-b");
        var snapshots = new Dictionary<(RawKiwoomClient, string), List<string>>();
        Sim.Options.ConditionChangesPerMinute = 1_200;                   // one change per condition every 50 ms
        foreach (var seq in seqs) snapshots[(a, seq)] = Codes(await RealTime(a, seq));
        await a.WaitUntilAsync(x => x.ConditionChanges.Count >= 20, Wait, "20 pushes");
        foreach (var seq in seqs) snapshots[(b, seq)] = Codes(await RealTime(b, seq));   // b joins in the middle of the churn
        await b.WaitUntilAsync(x => x.ConditionChanges.Count >= 20, Wait, "20 pushes to b");
        Sim.Options.ConditionChangesPerMinute = 0;

        foreach (var client in new[] { a, b })
        foreach (var seq in seqs)
        {
            // the record and the pushes are in step: once the churn stopped, every client's applied set is the record's
            await client.WaitUntilAsync(x => Applied(snapshots[(x, seq)], x, seq).SetEquals(Members(seq)), Wait, $"applied set of {seq} equals the record");
            // and the pushes are exactly the record's last changes of the condition, in order
            var pushes = client.ConditionChanges.Where(p => p.Seq == seq).Select(p => ("A" + Strip(p.Code), p.Entered)).ToList();
            var recorded = Sim.Record.ConditionChanges.Where(x => x.Seq == seq).Select(x => ("A" + x.Code, x.Entered)).ToList();
            Assert.Equal(recorded.TakeLast(pushes.Count), pushes);
        }
        Assert.True(Sim.Record.ConditionChanges.Select(x => x.Number).SequenceEqual(Enumerable.Range(1, Sim.Record.ConditionChanges.Count)));
    }

    [Fact]
    public async Task Condition_control_endpoint_must_change_membership_and_report_it()
    {
        using var http = new HttpClient { BaseAddress = Sim.RestBaseUrl };
        await using var c = await Listed("cond-http");
        var snapshot = Codes(await RealTime(c, "1"));

        var counted = await (await http.PostAsync("sim/condition-change?seq=1&enter=1&leave=2", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(3, counted.GetProperty("changes").GetArrayLength());
        var named = await http.PostAsync("sim/condition-change?seq=1&codesIn=017670,030200&codesOut=068270", null);
        Assert.True(named.IsSuccessStatusCode);
        Assert.Equal(["017670", "030200"], (await named.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("changes").EnumerateArray()
            .Where(x => x.GetProperty("entered").GetBoolean()).Select(x => x.GetProperty("code").GetString()));
        Assert.Equal(400, (int)(await http.PostAsync("sim/condition-change?seq=99&enter=1", null)).StatusCode);
        Assert.Equal(400, (int)(await http.PostAsync("sim/condition-change?seq=1&enter=1&codesIn=005930", null)).StatusCode);
        Assert.Equal(400, (int)(await http.PostAsync("sim/condition-change?seq=1&codesIn=A005930", null)).StatusCode);
        Assert.True((await http.PostAsync("sim/condition-rate?perMinute=0", null)).IsSuccessStatusCode);
        Assert.Equal(400, (int)(await http.PostAsync("sim/condition-rate?perMinute=-1", null)).StatusCode);

        await c.WaitUntilAsync(x => x.ConditionChanges.Count >= 6, Wait, "six pushes");
        Assert.Equal(Members("1"), Applied(snapshot, c, "1"));
        var state = await http.GetFromJsonAsync<JsonElement>("sim/state");
        var condition = state.GetProperty("conditions").EnumerateArray().Single(x => x.GetProperty("seq").GetString() == "1");
        Assert.Equal(Members("1"), condition.GetProperty("members").EnumerateArray().Select(m => m.GetString()!));
        Assert.Equal(6, state.GetProperty("conditionChanges").GetInt32());
        var session = state.GetProperty("sessions")[0];
        Assert.Equal(["1"], session.GetProperty("activeConditions").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal(6, session.GetProperty("conditionPushes").GetInt32());
        Assert.Equal(1, session.GetProperty("conditionListRequests").GetInt32());
    }
}
