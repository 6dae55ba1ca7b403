using ActorFeed.Kiwoom;
using ActorFeed.Supervision;

namespace ActorFeed.Token;

/// <summary>
/// A token request failed. Thrown by <see cref="ITokenClient"/> implementations; the feed classifies it by
/// <see cref="ReturnCode"/>, Kiwoom's fine code (bad credentials, mode or device: permanent; everything else is retried
/// with backoff), or by <see cref="HttpStatus"/> when there is no code (429: rate limited).
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

    /// <summary>
    /// Kiwoom's fine return code (8001, 1700, ...: the code inside the message when <c>return_code</c> itself is a coarse
    /// one); null for HTTP and network errors without a Kiwoom error body.
    /// </summary>
    public int? ReturnCode { get; }

    /// <summary>The HTTP status of the reply; null when no reply arrived.</summary>
    public int? HttpStatus { get; }
}

/// <summary>How the token actor turns a <see cref="TokenRequestException"/> into a supervised failure.</summary>
internal static class TokenFailures
{
    /// <summary>
    /// By the class of the fine code (<see cref="KiwoomError.ClassOf"/>): credentials, mode or device are permanent
    /// ("bad credentials"); a rate limit (1700, or HTTP 429 without a code) is "rate limited"; anything else, network and
    /// HTTP errors included, is "token service unavailable". All but the permanent ones are transient.
    /// </summary>
    public static FeedFailureException ToFailure(this TokenRequestException e)
    {
        var (cause, kind) = e.ReturnCode is { } code
            ? KiwoomError.ClassOf(code) switch
            {
                KiwoomErrorClass.Credentials or KiwoomErrorClass.Mode or KiwoomErrorClass.Device => (FeedFailureException.Causes.BadCredentials, FailureKind.Permanent),
                KiwoomErrorClass.RateLimit => (FeedFailureException.Causes.RateLimited, FailureKind.Transient),
                _ => (FeedFailureException.Causes.TokenService, FailureKind.Transient),
            }
            : e.HttpStatus == 429
                ? (FeedFailureException.Causes.RateLimited, FailureKind.Transient)
                : (FeedFailureException.Causes.TokenService, FailureKind.Transient);
        return new FeedFailureException(cause, kind, e.Message, e);
    }
}
