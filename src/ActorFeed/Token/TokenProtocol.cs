using Akka.Actor;

namespace ActorFeed.Token;

/// <summary>Messages of the token actor.</summary>
internal static class TokenProtocol
{
    /// <summary>Ask for the current token; answered with <see cref="Token.TokenIssue"/> as soon as one is valid.</summary>
    public sealed class GetToken
    {
        public static readonly GetToken Instance = new();
        private GetToken() { }
    }

    /// <summary>The server rejected this token (LOGIN with CODE=8005): drop it and issue a new one.</summary>
    public sealed record InvalidateToken(string Token)
    {
        public override string ToString() => $"InvalidateToken {{ Token = {Settings.Redact.Secret(Token)} }}";
    }

    /// <summary>Revoke the current token (shutdown); answered with <see cref="TokenRevoked"/>.</summary>
    public sealed class RevokeToken
    {
        public static readonly RevokeToken Instance = new();
        private RevokeToken() { }
    }

    public sealed class TokenRevoked
    {
        public static readonly TokenRevoked Instance = new();
        private TokenRevoked() { }
    }
}
