using System.Collections.Concurrent;
using Akka.Actor;
using ActorFeed.Token;

namespace ActorFeed.Testing.Fakes;

public sealed record TokenIssued(string Token);
public sealed record TokenRevokedOnServer(string Token);

/// <summary>A token endpoint: issues "token-0001", "token-0002", ... valid for <see cref="Lifetime"/>, or the scripted replies.
/// Every call is reported to <see cref="Calls"/>.</summary>
public sealed class FakeTokenClient(IActorRef calls, TimeProvider time) : ITokenClient
{
    private readonly ConcurrentQueue<Func<TokenIssue>> _script = new();
    private int _counter;

    public IActorRef Calls { get; } = calls;
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(18);

    /// <summary>Queue the next reply (an issue, or a throw).</summary>
    public void Next(Func<TokenIssue> reply) => _script.Enqueue(reply);

    public string NewToken() => $"token-{Interlocked.Increment(ref _counter):D4}-secret-value";

    public Task<TokenIssue> IssueAsync(CancellationToken cancellationToken)
    {
        try
        {
            var issue = _script.TryDequeue(out var f) ? f() : new TokenIssue(NewToken(), time.GetUtcNow() + Lifetime);
            Calls.Tell(new TokenIssued(issue.Token));
            return Task.FromResult(issue);
        }
        catch (Exception e)
        {
            Calls.Tell(new TokenIssued("(failed)"));
            return Task.FromException<TokenIssue>(e);
        }
    }

    public Task RevokeAsync(string token, CancellationToken cancellationToken)
    {
        Calls.Tell(new TokenRevokedOnServer(token));
        return Task.CompletedTask;
    }
}
