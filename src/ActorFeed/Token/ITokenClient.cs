namespace ActorFeed.Token;

/// <summary>The token REST endpoints. Failures throw <see cref="TokenRequestException"/>.</summary>
public interface ITokenClient
{
    /// <summary>Issues a new access token (POST /oauth2/token with the app key and secret key).</summary>
    /// <returns>The token and its expiry.</returns>
    Task<TokenIssue> IssueAsync(CancellationToken cancellationToken);

    /// <summary>Revokes <paramref name="token"/> (POST /oauth2/revoke), so it cannot be used any more.</summary>
    Task RevokeAsync(string token, CancellationToken cancellationToken);
}
