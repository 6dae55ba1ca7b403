namespace ActorFeed.Tests.Kiwoom;

/// <summary>One classifier for every reply, over both of Kiwoom's error envelopes.</summary>
public sealed class KiwoomErrorSpec
{
    public static TheoryData<int, string, int, string> Envelopes => new()
    {
        // fine code in return_code
        { 8001, "App Key와 Secret Key 검증에 실패했습니다", 8001, "Credentials" },
        { 8005, "Token이 유효하지 않습니다", 8005, "Token" },
        { 1700, "허용된 요청 개수를 초과하였습니다", 1700, "RateLimit" },
        { 1901, "시장 코드값이 존재하지 않습니다", 1901, "Item" },
        // coarse return_code, fine code in the message
        { 3, "인증에 실패했습니다[8001:App Key와 Secret Key 검증에 실패했습니다]", 8001, "Credentials" },
        { 3, "인증에 실패했습니다[8005:Token이 유효하지 않습니다]", 8005, "Token" },
        { 5, "허용된 요청 개수를 초과하였습니다[1700:허용된 요청 개수를 초과하였습니다]", 1700, "RateLimit" },
        { 5, "요청이 거부되었습니다 [1700]", 1700, "RateLimit" },
        { 805004, "토큰 인증에 실패했습니다. 접속을 종료합니다 [CODE=8005, MESSAGE=Token이 유효하지 않습니다]", 8005, "Token" },
        { 2, "입력값 오류[1511:종목코드 입력 오류]", 1511, "Item" },
        { 4, "모의투자 구분 오류[8031:실전/모의 구분이 올바르지 않습니다]", 8031, "Mode" },
        { 4, "[8103:허용되지 않은 IP입니다]", 8103, "Device" },
        // neither: the service failed
        { 1, "error", 1, "Service" },
        { 9999, "시스템 오류", 9999, "Service" },
    };

    [Theory]
    [MemberData(nameof(Envelopes))]
    public void Error_must_take_the_fine_code_from_either_envelope_and_classify_it(int returnCode, string message, int fine, string expected)
    {
        var error = KiwoomError.Of(returnCode, message)!;
        Assert.Equal(fine, error.FineCode);
        Assert.Equal(expected, error.Class.ToString());
    }

    [Fact]
    public void Error_must_take_the_first_embedded_code_and_ignore_other_numbers()
    {
        Assert.Equal(8005, KiwoomError.FineCodeOf(3, "12345 [8005:x] [1700:y] CODE=8001"));
        Assert.Equal(8001, KiwoomError.FineCodeOf(3, "CODE=8001 then [8005:x]"));
        Assert.Equal(3, KiwoomError.FineCodeOf(3, "no code here 170 [17] [abcd:] CODE=12"));
    }

    [Fact]
    public void Success_must_be_no_error()
    {
        Assert.Null(KiwoomError.Of(0, "정상적으로 처리되었습니다"));
        Assert.Null(KiwoomError.Of(0, "[8005:even with a code inside]"));
    }

    [Theory]
    [InlineData(8005, true)]
    [InlineData(8031, true)]
    [InlineData(8103, true)]
    [InlineData(8001, false)]
    [InlineData(8006, false)]
    public void LOGIN_must_be_retried_once_with_a_new_token_only_where_Kiwoom_does(int fine, bool retry) =>
        Assert.Equal(retry, KiwoomError.Of(3, $"[{fine}:x]")!.RetryLoginOnceWithNewToken);

    [Theory]
    [InlineData(8001, true)]
    [InlineData(8030, true)]
    [InlineData(8050, true)]
    [InlineData(8005, false)]
    [InlineData(1700, false)]
    [InlineData(1901, false)]
    public void Credentials_mode_and_device_errors_must_be_permanent(int fine, bool permanent) =>
        Assert.Equal(permanent, KiwoomError.Of(fine, "x")!.IsPermanent);

    [Fact]
    public void Error_must_read_only_ASCII_digits_as_a_code()
    {
        Assert.Equal(3, KiwoomError.FineCodeOf(3, "[１２３４:fullwidth digits]"));      // not a code, and no exception
        Assert.Equal(3, KiwoomError.FineCodeOf(3, "CODE=٨٠٠٥"));
    }
}
