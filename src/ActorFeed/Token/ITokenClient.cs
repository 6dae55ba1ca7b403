namespace ActorFeed.Token;

/// <summary>The token REST endpoints. Failures throw <see cref="TokenRequestException"/>.</summary>
public interface ITokenClient
{
    Task<TokenIssue> IssueAsync(CancellationToken cancellationToken);
    Task RevokeAsync(string token, CancellationToken cancellationToken);
}
