namespace ActorFeed.Token;

/// <summary>A bearer token and when it expires (converted from Kiwoom's KST expires_dt).</summary>
public sealed record TokenIssue(string Token, DateTimeOffset ExpiresAt)
{
    /// <summary>The record with the token redacted, so that it can be logged.</summary>
    public override string ToString() => $"TokenIssue {{ Token = {Settings.Redact.Secret(Token)}, ExpiresAt = {ExpiresAt:O} }}";
}
