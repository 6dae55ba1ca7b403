using System.Text;
using System.Text.Json;
using ActorFeed.Messages;

namespace ActorFeed.Tests.Protocol;

public sealed class KiwoomCodecSpec
{
    private static readonly DateTimeOffset At = new(2026, 11, 28, 7, 52, 8, TimeSpan.Zero);
    private readonly KiwoomDecoder _decoder = new();

    private KiwoomFrame Decode(string text) => _decoder.Decode(Encoding.UTF8.GetBytes(text), At);

    [Fact]
    public void Decoder_must_read_a_successful_LOGIN_reply()
    {
        var f = Assert.IsType<LoginReplyFrame>(Decode("""{"trnm":"LOGIN","return_code":0,"return_msg":"","sor_yn":"Y"}"""));
        Assert.True(f.Success);
        Assert.Null(f.Error);
    }

    [Fact]
    public void Decoder_must_recognise_a_LOGIN_failure_carrying_CODE_8005()
    {
        var f = Assert.IsType<LoginReplyFrame>(Decode("""{"trnm":"LOGIN","return_code":805004,"return_msg":"토큰 인증에 실패했습니다. 접속을 종료합니다 [CODE=8005, MESSAGE=Token이 유효하지 않습니다]"}"""));
        Assert.False(f.Success);
        Assert.Equal(KiwoomErrorClass.Token, f.Error!.Class);
        var other = Assert.IsType<LoginReplyFrame>(Decode("""{"trnm":"LOGIN","return_code":100013,"return_msg":"[CODE=1700] too many"}"""));
        Assert.Equal(KiwoomErrorClass.RateLimit, other.Error!.Class);
        var bare = Assert.IsType<LoginReplyFrame>(Decode("""{"trnm":"LOGIN","return_code":"8005","return_msg":"Token이 유효하지 않습니다"}"""));
        Assert.Equal(KiwoomErrorClass.Token, bare.Error!.Class);          // 8005 in return_code alone, as a string
    }

    [Fact]
    public void Decoder_must_read_PING_as_JSON_and_as_bare_text()
    {
        Assert.IsType<PingFrame>(Decode("""{"trnm":"PING"}"""));
        Assert.IsType<PingFrame>(Decode("PING"));
        Assert.IsType<PingFrame>(Decode("PING\n"));
    }

    [Fact]
    public void Decoder_must_read_REG_and_REMOVE_replies_with_numeric_or_string_return_codes()
    {
        var ok = Assert.IsType<RegistrationReplyFrame>(Decode("""{"trnm":"REG","return_code":0,"return_msg":""}"""));
        Assert.True(ok.Success);
        var bad = Assert.IsType<RegistrationReplyFrame>(Decode("""{"trnm":"REMOVE","return_code":"1","return_msg":"실패"}"""));
        Assert.Equal(RegistrationKind.Remove, bad.Kind);
        Assert.False(bad.Success);
        Assert.Equal("실패", bad.ReturnMessage);
    }

    [Fact]
    public void Decoder_must_read_every_entry_of_a_REAL_frame_keeping_values_as_received()
    {
        var f = Assert.IsType<RealFrame>(Decode("""
            {"trnm":"REAL","data":[
              {"type":"0B","name":"주식체결","item":"005930","values":{"20":"165208","10":"-20800","11":"-50","12":"-0.24","27":"-20800","28":"-20700","15":"+82","13":"30379732","14":"632640","16":"20850","17":"+21150","18":"-20450","25":"5","228":"98.92","290":"2","9081":"1"}},
              {"type":"0D","name":"주식호가잔량","item":"000660","values":{"21":"165208","41":"+130500"}}]}
            """));
        Assert.Equal(2, f.Ticks.Count);
        var t = f.Ticks[0];
        Assert.Equal(("005930", "0B", "주식체결"), (t.Code, t.Type, t.Name));
        Assert.Equal(16, t.Values.Count);
        Assert.Equal("-20800", t.Values["10"]);
        Assert.Equal(20800m, t.Price);                         // the sign is direction, not a negative price
        Assert.Equal(-50m, t.Change);
        Assert.Equal(-0.24m, t.ChangePercent);
        Assert.Equal(82L, t.TradeVolume);
        Assert.Equal(30379732L, t.CumulativeVolume);
        Assert.Equal(21150m, t.High);
        Assert.Equal(new TimeOnly(16, 52, 8), t.TradeTime);
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 16, 52, 8, TimeSpan.FromHours(9)), t.ServerTime);
        Assert.Equal(At, t.ReceivedAt);
        Assert.Equal(("000660", "0D"), (f.Ticks[1].Code, f.Ticks[1].Type));
    }

    [Fact]
    public void Decoder_must_reuse_interned_keys_and_codes_across_frames()
    {
        var a = Assert.IsType<RealFrame>(Decode("""{"trnm":"REAL","data":[{"type":"0B","name":"주식체결","item":"005930","values":{"10":"1"}}]}""")).Ticks[0];
        var b = Assert.IsType<RealFrame>(Decode("""{"trnm":"REAL","data":[{"type":"0B","name":"주식체결","item":"005930","values":{"10":"2"}}]}""")).Ticks[0];
        Assert.Same(a.Code, b.Code);
        Assert.Same(a.Values.Keys.Single(), b.Values.Keys.Single());
    }

    [Fact]
    public void Field_values_must_keep_the_received_order_find_any_equal_key_and_let_a_repeated_field_win()
    {
        var t = Assert.IsType<RealFrame>(Decode("""{"trnm":"REAL","data":[{"type":"0B","name":"n","item":"005930","values":{"20":"1","10":"2","20":"3"}}]}""")).Ticks[0];
        Assert.Equal(["20", "10"], t.Values.Keys);
        Assert.Equal("3", t.Values[new string("20".ToCharArray())]);     // not the interned instance
        Assert.False(t.Values.ContainsKey("99"));
        Assert.Throws<KeyNotFoundException>(() => t.Values["99"]);
        Assert.Equal(new Dictionary<string, string> { ["20"] = "3", ["10"] = "2" }, t.Values.ToDictionary());
        Assert.Equal("""{"20":"3","10":"2"}""", JsonSerializer.Serialize(t.Values));
    }

    [Fact]
    public void Field_values_must_decode_escaped_numeric_and_null_values_and_survive_a_padded_frame()
    {
        var frame = Encoding.UTF8.GetBytes("""
              {"trnm":"REAL","data":[
              {"type":"0B","name":"n","item":"005930","values":{"10":"+7\u0030","11":-5,"12":null,"13":true,"14":"호가","15":"\"q\""}},
              {"type":"0B","name":"n","item":"000660","values":{"10":"-80","11":6,"12":null,"13":false,"14":"x","15":"y"}}]}
            """);
        var ticks = Assert.IsType<RealFrame>(_decoder.Decode(frame, At)).Ticks;
        var t = ticks[0];
        Assert.Equal("+70", t["10"]);                        // escape decoded
        Assert.Equal(70m, t.Price);
        Assert.Equal("-5", t["11"]);                         // a JSON number kept as its text
        Assert.Equal(-5m, t.Change);
        Assert.Equal(-5L, t.Integer("11"));
        Assert.Equal("", t["12"]);
        Assert.Equal("true", t["13"]);
        Assert.Null(t.Number("13"));
        Assert.Equal("호가", t["14"]);
        Assert.Equal("\"q\"", t["15"]);
        var u = ticks[1];
        Assert.Same(t.Values.Keys, u.Values.Keys);           // one field-id array for entries alike
        Assert.Equal(["-80", "6", "", "false", "x", "y"], u.Values.Values);
        Assert.Equal(80m, u.Price);
    }

    [Fact]
    public void Ticks_must_read_their_values_the_same_from_several_threads()
    {
        var t = Assert.IsType<RealFrame>(Decode("""{"trnm":"REAL","data":[{"type":"0B","name":"n","item":"005930","values":{"10":"-20800","13":"30379732","20":"165208"}}]}""")).Ticks[0];
        var seen = new string[8][];
        Parallel.For(0, seen.Length, i => seen[i] = [t["10"]!, t["13"]!, t["20"]!, t.Price!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.All(seen, s => Assert.Equal(["-20800", "30379732", "165208", "20800"], s));
    }

    [Fact]
    public void Decoder_must_read_SYSTEM_R10001_as_a_duplicate_session()
    {
        var f = Assert.IsType<SystemFrame>(Decode("""{"trnm":"SYSTEM","code":"R10001","message":"동일한 App key로 접속이 되었습니다. 기존 세션은 종료가 됩니다"}"""));
        Assert.True(f.IsDuplicateSession);
        Assert.Contains("동일한 App key", f.Message);
    }

    [Theory]
    [InlineData("{not json", "invalid JSON")]
    [InlineData("", "empty")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("""{"return_code":0}""", "no trnm")]
    [InlineData("""{"trnm":"REAL","data":[]}""", "without entries")]
    [InlineData("""{"trnm":"REAL","data":[{"type":"0B"}]}""", "without type or values")]
    [InlineData("""{"trnm":"REAL","data":[{"type":"0B","values":[1]}]}""", "values is not an object")]
    [InlineData("""{"trnm":"LOGIN"}""", "without return_code")]
    [InlineData("""{"trnm":"REG","return_code":"x"}""", "not a number")]
    [InlineData("""{"trnm":"REG","return_code":0""", "invalid JSON")]
    public void Decoder_must_turn_malformed_frames_into_a_decode_error_not_an_exception(string text, string reason)
    {
        var f = Assert.IsType<MalformedFrame>(Decode(text));
        Assert.Contains(reason, f.Reason);
    }

    [Fact]
    public void Decoder_must_report_unknown_trnm()
    {
        Assert.Equal("GCNSRLST", Assert.IsType<UnknownFrame>(Decode("""{"trnm":"GCNSRLST","data":[]}""")).Trnm);
    }

    [Fact]
    public void Encoder_must_build_LOGIN_with_the_raw_token()
    {
        var json = Encoding.UTF8.GetString(KiwoomEncoder.Login("WQJC+/="));
        Assert.Equal("""{"trnm":"LOGIN","token":"WQJC+/="}""", json);
    }

    [Fact]
    public void Encoder_must_build_REG_and_REMOVE_in_the_documented_shape()
    {
        var items = new[] { new RegistrationItem("005930", "0B"), new RegistrationItem("000660", "0B") };
        Assert.Equal("""{"trnm":"REG","grp_no":"1","refresh":"1","data":[{"item":["005930","000660"],"type":["0B"]}]}""",
            Encoding.UTF8.GetString(KiwoomEncoder.Registration(RegistrationKind.Register, "1", "0B", items)));
        Assert.Equal("""{"trnm":"REMOVE","grp_no":"1","data":[{"item":["005930","000660"],"type":["0B"]}]}""",
            Encoding.UTF8.GetString(KiwoomEncoder.Registration(RegistrationKind.Remove, "1", "0B", items)));
        Assert.Equal("""{"trnm":"REG","grp_no":"7","refresh":"1","data":[{"item":[""],"type":["00"]}]}""",
            Encoding.UTF8.GetString(KiwoomEncoder.Registration(RegistrationKind.Register, "7", "00", [new RegistrationItem("", "00")])));
    }

    [Fact]
    public void Encoder_must_batch_by_type_with_at_most_the_configured_number_of_items()
    {
        var items = Enumerable.Range(0, 250).Select(i => new RegistrationItem(i.ToString("D6"), "0B"))
            .Concat(Enumerable.Range(0, 3).Select(i => new RegistrationItem(i.ToString("D6"), "0D"))).ToList();
        var batches = KiwoomEncoder.Batches(items, 100).ToList();
        Assert.Equal([100, 100, 50, 3], batches.Select(b => b.Count));
        Assert.All(batches, b => Assert.Single(b.Select(i => i.Type).Distinct()));
        Assert.Equal(items, batches.SelectMany(b => b));
        Assert.Throws<ArgumentOutOfRangeException>(() => KiwoomEncoder.Batches(items, 0).ToList());
    }

    [Fact]
    public void Encoded_frames_must_be_valid_json()
    {
        using var doc = JsonDocument.Parse(KiwoomEncoder.Registration(RegistrationKind.Register, "1", "0B", [new RegistrationItem("005930_NX", "0B")]));
        Assert.Equal("005930_NX", doc.RootElement.GetProperty("data")[0].GetProperty("item")[0].GetString());
    }

    [Theory]
    [InlineData("005930", "0B", null)]
    [InlineData("005930_NX", "0B", null)]
    [InlineData("005930_AL", "0D", null)]
    [InlineData("001", "0J", null)]
    [InlineData("0000J0", "0B", null)]
    [InlineData("", "00", null)]
    [InlineData("", "04", null)]
    [InlineData("005930", "0g", null)]
    [InlineData("005930", "0G", null)]
    [InlineData("12", "0B", "3 to 6")]
    [InlineData("1234567", "0B", "3 to 6")]
    [InlineData("005930_XX", "0B", "3 to 6")]
    [InlineData("00593a", "0B", "'a'")]
    [InlineData("005930", "0X", "unknown type")]
    [InlineData("005930", "", "type is missing")]
    [InlineData("005930", "04", "per account")]
    [InlineData("", "0B", "code is missing")]
    public void Instrument_codes_must_be_validated(string code, string type, string? error)
    {
        var result = InstrumentCode.Validate(code, type);
        if (error is null) Assert.Null(result);
        else Assert.Contains(error, result);
    }
}
