namespace ActorFeed.Token;

/// <summary>A bearer token and when it expires (converted from Kiwoom's KST expires_dt).</summary>
public sealed record TokenIssue(string Token, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"TokenIssue {{ Token = {Settings.Redact.Secret(Token)}, ExpiresAt = {ExpiresAt:O} }}";
}
