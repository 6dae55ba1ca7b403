using System.Text;
using ActorFeed.Messages;

namespace ActorFeed.Tests.Protocol;

/// <summary>
/// Hostile and broken input: mutated real frames, wrong value types, very wide, deep and long frames, invalid UTF-8.
/// The decoder must never throw: every input becomes a frame or a <see cref="MalformedFrame"/>, and every tick it
/// returns can be read in full. Seeds are fixed and counts bounded (the whole class runs in about a second); the
/// decoder's cost per byte is a benchmark (tests/ActorFeed.Benchmarks, --codec), not a timed test.
/// </summary>
public sealed class KiwoomDecoderFuzzSpec
{
    private static readonly DateTimeOffset At = new(2026, 11, 28, 7, 52, 8, TimeSpan.Zero);

    /// <summary>Frames as a Kiwoom server sends them (the REAL one with escapes, numbers, null and Korean text).</summary>
    private static readonly string[] RealFrames =
    [
        """{"trnm":"LOGIN","return_code":0,"return_msg":"","sor_yn":"Y"}""",
        """{"trnm":"LOGIN","return_code":805004,"return_msg":"토큰 인증에 실패했습니다 [CODE=8005, MESSAGE=Token이 유효하지 않습니다]"}""",
        """{"trnm":"REG","return_code":0,"return_msg":""}""",
        """{"trnm":"REMOVE","return_code":"1","return_msg":"실패"}""",
        """{"trnm":"PING"}""",
        """{"trnm":"SYSTEM","code":"R10001","message":"동일한 App key로 접속이 되었습니다. 기존 세션은 종료가 됩니다"}""",
        """{"trnm":"CNSRLST","return_code":0,"return_msg":"","data":[["0","조건1"],[1,"조건\u0032"],["2"]]}""",
        """{"trnm":"CNSRREQ","seq":"1","cont_yn":"Y","next_key":"A000660","return_code":"0","data":[{"jmcode":"A005930"},{"9001":"Q500001","302":"x"},"J52A123"]}""",
        """{"trnm":"CNSRCLR","seq":1,"return_code":3,"return_msg":"실패[1511:조건]"}""",
        """{"trnm":"REAL","data":[{"type":"02","name":"조건검색","item":"A005930","values":{"841":"1","9001":"A005930","843":"I","20":"093015","907":"2","9081":"1"}}]}""",
        """{"trnm":"REAL","data":[{"type":"0B","name":"주식체결","item":"005930","values":{"20":"165208","10":"-20800","11":"-50","12":"-0.24","27":"-20800","28":"-20700","15":"+82","13":"30379732","14":"632640","16":"20850","17":"+21150","18":"-20450","25":"5","228":"98.92","290":"2","9081":"1"}},{"type":"0D","name":"주식호가잔량","item":"000660","values":{"21":"165208","41":"+130500","10":"+7\u0030","11":-5,"12":null,"13":true,"14":"호가","15":"\"q\""}}]}""",
    ];

    private readonly KiwoomDecoder _decoder = new();

    private KiwoomFrame Decode(byte[] bytes)
    {
        var frame = _decoder.Decode(bytes, At);                 // an exception here fails the spec
        Assert.NotNull(frame);
        ReadFully(frame);
        return frame;
    }

    private KiwoomFrame Decode(string text) => Decode(Encoding.UTF8.GetBytes(text));

    /// <summary>Everything a subscriber or the connection may read from a frame must be readable.</summary>
    private static void ReadFully(KiwoomFrame frame)
    {
        switch (frame)
        {
            case RealFrame real:
                foreach (var t in real.Ticks)
                {
                    _ = (t.Code, t.Type, t.Name, t.Price, t.Change, t.ChangePercent, t.TradeVolume, t.CumulativeVolume, t.TradeTime, t.ServerTime);
                    foreach (var (key, value) in t.Values)
                    {
                        Assert.NotNull(value);
                        Assert.Equal(value, t.Values[key]);
                        _ = (t.Number(key), t.Integer(key));
                    }
                }
                break;
            case LoginReplyFrame login:
                _ = login.Error;
                break;
            case RegistrationReplyFrame reply:
                _ = reply.Error;
                break;
            case ConditionListFrame list:
                _ = (list.Error, list.Conditions.Select(c => (c.Seq.Length, c.Name.Length)).ToList());
                break;
            case ConditionSearchFrame search:
                _ = (search.Error, search.Seq, search.Codes.Sum(c => c.Length), search.NextKey);
                break;
            case ConditionClearFrame clear:
                _ = (clear.Error, clear.Seq);
                break;
        }
        if (frame is RealFrame r)
            foreach (var t in r.Ticks.Where(t => t.Type == ConditionCodes.RealType)) _ = ConditionCodes.ChangeOf(t);
    }

    [Fact]
    public void Decoder_must_turn_every_truncation_of_a_real_frame_into_a_decode_error()
    {
        foreach (var text in RealFrames)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            Assert.IsNotType<MalformedFrame>(Decode(bytes));
            for (var length = 0; length < bytes.Length; length++)
                Assert.IsType<MalformedFrame>(Decode(bytes[..length]));   // no strict prefix of a JSON object is one
        }
    }

    [Fact]
    public void Decoder_must_survive_flipped_inserted_and_deleted_bytes()
    {
        var random = new Random(20261128);
        var kinds = new Dictionary<string, int>();
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(RealFrames[random.Next(RealFrames.Length)]).ToList();
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(4))
                {
                    case 0: bytes[at] = (byte)random.Next(256); break;                       // any byte, invalid UTF-8 included
                    case 1: bytes[at] ^= (byte)(1 << random.Next(8)); break;                 // one bit
                    case 2: bytes.Insert(at, "{}[]\",:\\0-e9 \u00ff"u8[random.Next(14)]); break; // JSON punctuation
                    default: bytes.RemoveAt(at); break;
                }
            }
            var kind = Decode([.. bytes]).GetType().Name;
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        }
        Assert.True(kinds.GetValueOrDefault(nameof(MalformedFrame)) > 1_000, string.Join(", ", kinds));  // the mutations did break frames
        Assert.True(kinds.GetValueOrDefault(nameof(RealFrame)) > 100, string.Join(", ", kinds));         // and left many readable
    }

    [Fact]
    public void Decoder_must_survive_random_splices_of_real_frames()
    {
        var random = new Random(7);
        var all = RealFrames.Select(Encoding.UTF8.GetBytes).ToArray();
        for (var i = 0; i < 5_000; i++)
        {
            var a = all[random.Next(all.Length)];
            var b = all[random.Next(all.Length)];
            var cutA = random.Next(a.Length + 1);
            var cutB = random.Next(b.Length + 1);
            Decode([.. a[..cutA], .. b[cutB..]]);
        }
    }

    [Theory]
    [InlineData("""{"trnm":5}""")]
    [InlineData("""{"trnm":{"a":1}}""")]
    [InlineData("""{"trnm":["REAL"]}""")]
    [InlineData("""{"trnm":null}""")]
    [InlineData("""{"trnm":"REAL","data":{"type":"0B"}}""")]
    [InlineData("""{"trnm":"REAL","data":"x"}""")]
    [InlineData("""{"trnm":"REAL","data":[1,2]}""")]
    [InlineData("""{"trnm":"REAL","data":[null]}""")]
    [InlineData("""{"trnm":"REAL","data":[{"type":1,"values":{}}]}""")]
    [InlineData("""{"trnm":"REAL","data":[{"type":"0B","item":["005930"],"values":{}}]}""")]
    [InlineData("""{"trnm":"REAL","data":[{"type":"0B","values":"10=1"}]}""")]
    [InlineData("""{"trnm":"REAL","data":[{"type":"0B","values":{"10":{"a":[1,{"b":2}]},"11":[1,2,3],"12":1e400,"13":-0.0}}]}""")]
    [InlineData("""{"trnm":"LOGIN","return_code":{"x":1}}""")]
    [InlineData("""{"trnm":"LOGIN","return_code":1.5}""")]
    [InlineData("""{"trnm":"LOGIN","return_code":99999999999999999999}""")]
    [InlineData("""{"trnm":"LOGIN","return_code":true}""")]
    [InlineData("""{"trnm":"REG","return_code":"99999999999999999999"}""")]
    [InlineData("""{"trnm":"REG","return_code":0,"return_msg":{"a":1}}""")]
    [InlineData("""{"trnm":"SYSTEM","code":7,"message":["x"]}""")]
    [InlineData("""{"trnm":"PING","trnm":"REAL"}""")]
    [InlineData("""{"trnm":"REAL","data":[{"type":"0B","values":{}}],"data":5}""")]
    [InlineData("""{"trnm":"REAL"} {"trnm":"PING"}""")]
    [InlineData("""{"trnm":"REAL",}""")]
    [InlineData("""{"trnm":"RE\u0000AL"}""")]
    [InlineData("""{"trnm":"\ud800"}""")]
    [InlineData("""{"trnm":"REAL","data":[{"type":"0B","item":"\udfff\ud800","values":{"\ud800":"\udc00x","10":"\u0000"}}]}""")]
    [InlineData("""/* comment */ {"trnm":"PING"}""")]
    [InlineData("\uFEFF{\"trnm\":\"PING\"}")]
    [InlineData("""{"trnm":"REAL","data":[{"type":"0B","values":{"10":"1"}}]}]]]]""")]
    [InlineData("null")]
    [InlineData("\"PING\"")]
    [InlineData("PINGPING")]
    [InlineData("  \r\n\t ")]
    public void Decoder_must_turn_wrong_value_types_and_shapes_into_a_frame_or_a_decode_error(string text) => Decode(text);

    [Fact]
    public void Decoder_must_read_invalid_UTF_8_anywhere_without_throwing()
    {
        var frame = Encoding.UTF8.GetBytes("""{"trnm":"REAL","data":[{"type":"0B","name":"NAME","item":"ITEM","values":{"KEY":"VALUE","10":"123"}}]}""");
        byte[][] bad = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0x80, 0x80, 0x80]];
        foreach (var marker in new[] { "NAME", "ITEM", "KEY", "VALUE", "REAL", "0B" })
            foreach (var b in bad)
            {
                var at = Encoding.UTF8.GetString(frame).IndexOf(marker, StringComparison.Ordinal);
                var mutated = frame[..at].Concat(b).Concat(frame[(at + marker.Length)..]).ToArray();
                if (Decode(mutated) is RealFrame real) Assert.Equal(123m, real.Ticks.Single().Price);   // the rest of the entry is intact
            }
    }

    [Fact]
    public void Decoder_must_read_an_entry_of_200_000_fields_with_repeats_keeping_the_order_and_the_last_value()
    {
        const int Fields = 200_000;
        var sb = new StringBuilder("""{"trnm":"REAL","data":[{"type":"0B","name":"n","item":"005930","values":{""");
        for (var i = 0; i < Fields; i++) sb.Append('"').Append(i).Append("\":\"").Append(i).Append("\",");
        for (var i = 0; i < Fields; i += 1_000) sb.Append('"').Append(i).Append("\":\"again").Append(i).Append("\",");  // repeats, far apart
        sb.Append("\"10\":\"+99\"}}]}");                                                                                 // and one more of a small id
        var tick = Assert.IsType<RealFrame>(Decode(sb.ToString())).Ticks.Single();
        Assert.Equal(Fields, tick.Values.Count);
        Assert.Equal(Enumerable.Range(0, Fields).Select(i => i.ToString()), tick.Values.Keys);
        Assert.Equal("again5000", tick["5000"]);
        Assert.Equal("5001", tick["5001"]);
        Assert.Equal(99m, tick.Price);
        Assert.Equal((long)(Fields - 1), tick.Integer((Fields - 1).ToString()));
        Assert.Null(tick["-1"]);
        var small = Assert.IsType<RealFrame>(Decode(RealFrames[^1])).Ticks[0];   // the decoder is still right for a normal frame after that
        Assert.Equal(16, small.Values.Count);
        Assert.Equal(20800m, small.Price);
    }

    [Fact]
    public void Decoder_must_keep_the_semantics_of_repeated_fields_below_and_above_the_index_threshold()
    {
        foreach (var width in new[] { KiwoomDecoder.IndexThreshold - 1, KiwoomDecoder.IndexThreshold, KiwoomDecoder.IndexThreshold + 1, 3 * KiwoomDecoder.IndexThreshold })
        {
            var ids = Enumerable.Range(0, width).Select(i => $"f{i}").ToList();
            var pairs = ids.Select(id => $"\"{id}\":\"{id}-first\"").Concat(ids.Where((_, i) => i % 3 == 0).Select(id => $"\"{id}\":\"{id}-last\""));
            var tick = Assert.IsType<RealFrame>(Decode("""{"trnm":"REAL","data":[{"type":"0B","values":{""" + string.Join(",", pairs) + "}}]}")).Ticks.Single();
            Assert.Equal(ids, tick.Values.Keys);
            for (var i = 0; i < width; i++)
                Assert.Equal(i % 3 == 0 ? $"f{i}-last" : $"f{i}-first", tick.Values[new string(ids[i].ToCharArray())]);
        }
    }

    [Fact]
    public void Decoder_must_refuse_deep_nesting_anywhere()
    {
        foreach (var depth in new[] { 9, 100, 100_000 })
        {
            var deep = new string('[', depth) + new string(']', depth);
            Assert.IsType<MalformedFrame>(Decode("""{"trnm":"REAL","data":[{"type":"0B","values":{"10":""" + deep + "}}]}"));
            Assert.IsType<MalformedFrame>(Decode("""{"trnm":"X","junk":""" + deep + "}"));
            Assert.IsType<MalformedFrame>(Decode(new string('{', depth)));
        }
    }

    [Fact]
    public void Decoder_must_read_huge_arrays_and_many_entries()
    {
        var junk = string.Join(",", Enumerable.Repeat("1", 1_000_000));
        Assert.Equal("X", Assert.IsType<UnknownFrame>(Decode($$"""{"trnm":"X","junk":[{{junk}}]}""")).Trnm);
        Assert.IsType<MalformedFrame>(Decode($$"""{"trnm":"REAL","data":[{{junk}}]}"""));
        var entries = string.Join(",", Enumerable.Range(0, 50_000).Select(i => $$$"""{"type":"0B","item":"{{{i % 1000:D6}}}","values":{"10":"{{{i}}}"}}"""));
        var real = Assert.IsType<RealFrame>(Decode($$"""{"trnm":"REAL","data":[{{entries}}]}"""));
        Assert.Equal(50_000, real.Ticks.Count);
        Assert.Equal(49_999m, real.Ticks[^1].Price);
    }

    [Fact]
    public void Decoder_must_survive_long_strings_everywhere()
    {
        var longText = new string('가', 500_000);
        Assert.Equal(500_000, Assert.IsType<UnknownFrame>(Decode($$"""{"trnm":"{{longText}}"}""")).Trnm.Length);
        Assert.Equal(longText, Assert.IsType<SystemFrame>(Decode($$"""{"trnm":"SYSTEM","code":"X","message":"{{longText}}"}""")).Message);
        var tick = Assert.IsType<RealFrame>(Decode($$$"""{"trnm":"REAL","data":[{"type":"0B","item":"{{{longText}}}","values":{"{{{longText}}}":"{{{longText}}}"}}]}""")).Ticks.Single();
        Assert.Equal(longText, tick[longText]);
    }
}
