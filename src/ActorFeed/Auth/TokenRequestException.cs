using ActorFeed.Actors;
using ActorFeed.Protocol.Kiwoom;

namespace ActorFeed.Auth;

/// <summary>A token request failed. <see cref="ReturnCode"/> is Kiwoom's return_code (null for HTTP / network errors).</summary>
public sealed class TokenRequestException : FeedFailureException
{
    public TokenRequestException(int? returnCode, int? httpStatus, string detail, Exception? inner = null)
        : base(CauseOf(returnCode), KindOf(returnCode), detail, inner)
    {
        ReturnCode = returnCode;
        HttpStatus = httpStatus;
    }

    public int? ReturnCode { get; }
    public int? HttpStatus { get; }

    private static string CauseOf(int? code) => code switch
    {
        { } c when KiwoomErrors.IsPermanentCredentialError(c) => Causes.BadCredentials,
        { } c when KiwoomErrors.IsRateLimit(c) => Causes.RateLimited,
        _ => Causes.TokenService,
    };

    private static FailureKind KindOf(int? code) =>
        code is { } c && KiwoomErrors.IsPermanentCredentialError(c) ? FailureKind.Permanent : FailureKind.Transient;
}
