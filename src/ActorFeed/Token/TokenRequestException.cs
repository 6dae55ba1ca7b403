using ActorFeed.Kiwoom;
using ActorFeed.Supervision;

namespace ActorFeed.Token;

/// <summary>
/// A token request failed. Thrown by <see cref="ITokenClient"/> implementations; the feed classifies it by
/// <see cref="ReturnCode"/> (bad credentials are permanent, everything else is retried with backoff).
/// </summary>
public sealed class TokenRequestException : Exception
{
    /// <summary>Creates the exception. The message must not contain secrets.</summary>
    /// <param name="returnCode">Kiwoom's fine return code, or null for HTTP and network errors.</param>
    /// <param name="httpStatus">The HTTP status, or null when no response arrived.</param>
    /// <param name="detail">What went wrong, without secrets.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public TokenRequestException(int? returnCode, int? httpStatus, string detail, Exception? inner = null)
        : base(detail, inner)
    {
        ReturnCode = returnCode;
        HttpStatus = httpStatus;
    }

    /// <summary>Kiwoom's return code; null for HTTP and network errors.</summary>
    public int? ReturnCode { get; }

    /// <summary>The HTTP status of the reply; null when no reply arrived.</summary>
    public int? HttpStatus { get; }
}

/// <summary>How the token actor turns a <see cref="TokenRequestException"/> into a supervised failure.</summary>
internal static class TokenFailures
{
    public static FeedFailureException ToFailure(this TokenRequestException e) =>
        new(CauseOf(e.ReturnCode), KindOf(e.ReturnCode), e.Message, e);

    private static string CauseOf(int? code) => code is { } c ? KiwoomError.ClassOf(c) switch
    {
        KiwoomErrorClass.Credentials or KiwoomErrorClass.Mode or KiwoomErrorClass.Device => FeedFailureException.Causes.BadCredentials,
        KiwoomErrorClass.RateLimit => FeedFailureException.Causes.RateLimited,
        _ => FeedFailureException.Causes.TokenService,
    } : FeedFailureException.Causes.TokenService;

    private static FailureKind KindOf(int? code) =>
        code is { } c && KiwoomError.ClassOf(c) is KiwoomErrorClass.Credentials or KiwoomErrorClass.Mode or KiwoomErrorClass.Device
            ? FailureKind.Permanent : FailureKind.Transient;
}
