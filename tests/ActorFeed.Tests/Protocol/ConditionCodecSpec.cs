using System.Text;

namespace ActorFeed.Tests.Protocol;

/// <summary>Condition search frames (protocol notes 4b) as a real server may send them: numbers or numeric strings,
/// missing fields, both error envelopes, data before trnm; and the requests in the documented shape.</summary>
public sealed class ConditionCodecSpec
{
    private static readonly DateTimeOffset At = new(2026, 11, 28, 0, 30, 16, TimeSpan.Zero);   // 09:30:16 KST
    private readonly KiwoomDecoder _decoder = new();

    private KiwoomFrame Decode(string text) => _decoder.Decode(Encoding.UTF8.GetBytes(text), At);

    [Fact]
    public void Decoder_must_read_the_CNSRLST_list_with_string_or_number_seqs_and_skip_entries_without_one()
    {
        var f = Assert.IsType<ConditionListFrame>(Decode("""{"trnm":"CNSRLST","return_code":0,"return_msg":"","data":[["0","조건1"],[1,"조건2"],[],[null,"x"],{"seq":"7","name":"obj"},"junk"]}"""));
        Assert.Null(f.Error);
        Assert.Equal([new ConditionEntry("0", "조건1"), new ConditionEntry("1", "조건2"), new ConditionEntry("7", "obj")], f.Conditions);
        var first = Assert.IsType<ConditionListFrame>(Decode("""{"data":[["3","뒤"]],"trnm":"CNSRLST"}"""));   // data before trnm, no return_code
        Assert.Equal(0, first.ReturnCode);
        Assert.Equal([new ConditionEntry("3", "뒤")], first.Conditions);
    }

    [Fact]
    public void Decoder_must_read_CNSRREQ_pages_stripping_the_A_J_Q_prefixes()
    {
        var f = Assert.IsType<ConditionSearchFrame>(Decode("""{"trnm":"CNSRREQ","seq":"1","return_code":"0","cont_yn":"Y","next_key":"K2","data":[{"jmcode":"A005930"},{"9001":"Q500001"},{"jmcode":"J52A123"},{"jmcode":"000660"},{"x":1},"A035420"]}"""));
        Assert.Equal("1", f.Seq);
        Assert.Null(f.Error);
        Assert.Equal(["005930", "500001", "52A123", "000660", "035420"], f.Codes);
        Assert.True(f.More);
        Assert.Equal("K2", f.NextKey);
        var last = Assert.IsType<ConditionSearchFrame>(Decode("""{"trnm":"CNSRREQ","seq":2,"return_code":0,"cont_yn":"N","next_key":"","data":null}"""));
        Assert.Equal("2", last.Seq);
        Assert.Empty(last.Codes);
        Assert.False(last.More);
        Assert.Null(last.NextKey);
    }

    [Fact]
    public void Decoder_must_read_both_row_shapes_in_a_one_shot_and_in_a_real_time_reply()
    {
        // one-shot rows are quote rows ({"9001":code,"302":name}, what public clients read), real-time rows {"jmcode":code};
        // nothing says a server keeps to one shape per search_type, so both are read in either reply
        const string quoteRows = """[{"9001":"A005930","302":"삼성전자"},{"302":"SK하이닉스","9001":"A000660"}]""";
        const string jmcodeRows = """[{"jmcode":"A005930"},{"jmcode":"A000660"}]""";
        foreach (var rows in new[] { quoteRows, jmcodeRows })
        {
            var oneShot = Assert.IsType<ConditionSearchFrame>(Decode($$"""{"trnm":"CNSRREQ","seq":"1","return_code":0,"return_msg":"","cont_yn":"N","next_key":"","data":{{rows}}}"""));
            var realtime = Assert.IsType<ConditionSearchFrame>(Decode($$"""{"trnm":"CNSRREQ","seq":"1","return_code":0,"return_msg":"","data":{{rows}}}"""));
            Assert.Equal(["005930", "000660"], oneShot.Codes);
            Assert.Equal(["005930", "000660"], realtime.Codes);
        }
        var both = Assert.IsType<ConditionSearchFrame>(Decode("""{"trnm":"CNSRREQ","seq":"1","return_code":0,"data":[{"9001":"A111111","jmcode":"A005930","302":"x"}]}"""));
        Assert.Equal(["005930"], both.Codes);                         // jmcode wins when a row has both
    }

    [Fact]
    public void Decoder_must_classify_condition_errors_from_either_envelope()
    {
        var coarse = Assert.IsType<ConditionSearchFrame>(Decode("""{"trnm":"CNSRREQ","seq":"1","return_code":3,"return_msg":"인증에 실패했습니다[8005:Token이 유효하지 않습니다]"}"""));
        Assert.Equal(KiwoomErrorClass.Token, coarse.Error!.Class);
        var fine = Assert.IsType<ConditionListFrame>(Decode("""{"trnm":"CNSRLST","return_code":"1700","return_msg":"허용된 요청 개수를 초과하였습니다"}"""));
        Assert.Equal(KiwoomErrorClass.RateLimit, fine.Error!.Class);
        var clear = Assert.IsType<ConditionClearFrame>(Decode("""{"trnm":"CNSRCLR","seq":"4","return_code":0}"""));
        Assert.Equal("4", clear.Seq);
        Assert.Null(clear.Error);
    }

    [Fact]
    public void Type_02_entries_must_become_changes_with_the_code_stripped_and_the_KST_time()
    {
        var real = Assert.IsType<RealFrame>(Decode("""{"trnm":"REAL","data":[{"type":"02","name":"조건검색","item":"A005930","values":{"841":"1","9001":"A005930","843":"I","20":"093015","907":"2","9081":"1"}},{"type":"02","item":"Q500001","values":{"841":"3","843":"D"}},{"type":"02","values":{"841":"1","9001":"A005930","843":"X"}}]}"""));
        var entered = ConditionCodes.ChangeOf(real.Ticks[0])!;
        Assert.Equal(new ConditionChange("1", "005930", true, new DateTimeOffset(2026, 11, 28, 9, 30, 15, TimeSpan.FromHours(9))), entered);
        var left = ConditionCodes.ChangeOf(real.Ticks[1])!;                 // code from the item, time of receipt
        Assert.Equal(new ConditionChange("3", "500001", false, At), left);
        Assert.Null(ConditionCodes.ChangeOf(real.Ticks[2]));                 // neither I nor D
    }

    [Fact]
    public void A_change_sent_just_before_midnight_KST_must_keep_its_own_day()
    {
        var afterMidnight = new DateTimeOffset(2026, 11, 28, 15, 0, 2, TimeSpan.Zero);   // 00:00:02 KST on the 29th
        var tick = Assert.IsType<RealFrame>(_decoder.Decode(Encoding.UTF8.GetBytes("""{"trnm":"REAL","data":[{"type":"02","values":{"841":"1","9001":"A005930","843":"D","20":"235959"}}]}"""), afterMidnight)).Ticks[0];
        Assert.Equal(new DateTimeOffset(2026, 11, 28, 23, 59, 59, TimeSpan.FromHours(9)), ConditionCodes.ChangeOf(tick)!.At);
    }

    [Theory]
    [InlineData("A005930", "005930")]
    [InlineData("J52A123", "52A123")]
    [InlineData("Q500001", "500001")]
    [InlineData("005930", "005930")]
    [InlineData(" A005930 ", "005930")]
    [InlineData("ABC", "ABC")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Strip_must_remove_only_a_market_prefix(string? code, string? expected) => Assert.Equal(expected, ConditionCodes.Strip(code));

    [Fact]
    public void Encoder_must_build_condition_requests_in_the_documented_shape()
    {
        Assert.Equal("""{"trnm":"CNSRLST"}""", Encoding.UTF8.GetString(KiwoomEncoder.ConditionList()));
        Assert.Equal("""{"trnm":"CNSRREQ","seq":"1","search_type":"1","stex_tp":"K"}""", Encoding.UTF8.GetString(KiwoomEncoder.ConditionSearch("1", realtime: true)));
        Assert.Equal("""{"trnm":"CNSRREQ","seq":"1","search_type":"0","stex_tp":"K","cont_yn":"N","next_key":""}""", Encoding.UTF8.GetString(KiwoomEncoder.ConditionSearch("1", realtime: false)));
        Assert.Equal("""{"trnm":"CNSRREQ","seq":"1","search_type":"0","stex_tp":"K","cont_yn":"Y","next_key":"K2"}""", Encoding.UTF8.GetString(KiwoomEncoder.ConditionSearch("1", realtime: false, "K2")));
        Assert.Equal("""{"trnm":"CNSRCLR","seq":"1"}""", Encoding.UTF8.GetString(KiwoomEncoder.ConditionClear("1")));
    }
}
