using Akka.Actor;
using Akka.Event;
using ActorFeed.Settings;
using ActorFeed.Supervision;
using static ActorFeed.Token.TokenProtocol;

namespace ActorFeed.Token;

/// <summary>
/// Owns the bearer token. Issues one at start, re-issues <see cref="ActorFeedSettings.TokenRefreshBeforeExpiry"/>
/// before <c>expires_dt</c> on a timer, and replaces a token the server rejected. Kiwoom hands back the SAME token
/// while it is still valid, so a replacement that comes back unchanged is revoked and issued once more.
/// A refresh that fails transiently while the current token is still valid keeps serving that token (warning log) and
/// tries again after the token backoff (growing per failure in a row, capped at <c>token.backoff-max</c>, never past
/// the token's expiry). Any other failure is thrown: its <see cref="RestartSupervisor"/> restarts it (bad credentials:
/// the long permanent backoff; 5xx, rate limits, timeouts: the token backoff). Each token issued sends
/// <see cref="BackoffReset"/> to that supervisor. Secrets never reach the log.
/// </summary>
internal sealed class TokenActor : ReceiveActor, IWithTimers
{
    private readonly ITokenClient _client;
    private readonly ActorFeedSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _cts = new();
    private readonly HashSet<IActorRef> _waiting = [];
    private readonly BackoffPolicy _refreshBackoff;
    private TokenIssue? _current;
    /// <summary>While issuing: the still-valid token that <see cref="GetToken"/> is answered with meanwhile (a refresh), else null.</summary>
    private TokenIssue? _serving;
    private int _refreshFailures;

    public TokenActor(ITokenClient client, ActorFeedSettings settings, TimeProvider time)
    {
        _client = client;
        _settings = settings;
        _time = time;
        _refreshBackoff = new BackoffPolicy(settings.TokenBackoffMin, settings.TokenBackoffMax, settings.BackoffRandomFactor, settings.PermanentFailureBackoff);
    }

    public static Props Props(ITokenClient client, ActorFeedSettings settings, TimeProvider? time = null) =>
        Akka.Actor.Props.Create(() => new TokenActor(client, settings, time ?? TimeProvider.System));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Issuing(replacing: null, keepServing: false);

    protected override void PostStop() => _cts.Cancel();

    /// <summary>Issues a token replacing <paramref name="replacing"/>; with <paramref name="keepServing"/>, the current one
    /// (still valid: a refresh) is handed out meanwhile and kept if the issue fails transiently.</summary>
    private void Issuing(string? replacing, bool keepServing)
    {
        Timers.Cancel(RefreshDue.Instance);
        _serving = keepServing ? _current : null;
        Become(() =>
        {
            Receive<Issued>(r => OnIssued(r.Issue));
            Receive<Status.Failure>(f => OnIssueFailed(f.Cause));
            Receive<GetToken>(_ =>
            {
                if (Servable() is { } serving) Sender.Tell(serving);
                else _waiting.Add(Sender);
            });
            Receive<InvalidateToken>(m =>
            {
                if (_serving is null || m.Token != _serving.Token) return;
                _log.Warning("Token rejected by the server while its replacement is being issued; no longer handing it out");
                _serving = null;
            });
            Receive<RevokeToken>(_ => Sender.Tell(TokenRevoked.Instance));
        });
        IssueAsync(replacing).PipeTo(Self, success: issue => new Issued(issue));
    }

    private void Ready()
    {
        Become(() =>
        {
            Receive<GetToken>(_ => Sender.Tell(_current));
            Receive<RefreshDue>(_ =>
            {
                _log.Info("Token expires at {ExpiresAt:O}; issuing a new one", _current!.ExpiresAt);
                Issuing(replacing: _current.Token, keepServing: true);
            });
            Receive<InvalidateToken>(m =>
            {
                if (_current is null || m.Token != _current.Token) return; // an older token: already replaced
                _log.Warning("Token rejected by the server; issuing a new one");
                Issuing(replacing: _current.Token, keepServing: false);
            });
            Receive<RevokeToken>(_ =>
            {
                var token = _current!.Token;
                _current = null;
                Timers.CancelAll();
                _client.RevokeAsync(token, _cts.Token).PipeTo(Sender,
                    success: () => TokenRevoked.Instance,
                    failure: e =>
                    {
                        _log.Warning("Token revoke failed: {Reason}", Redact.Scrub(e.Message, token, _settings.AppKey, _settings.SecretKey));
                        return TokenRevoked.Instance;
                    });
                Become(() => Receive<RevokeToken>(_ => Sender.Tell(TokenRevoked.Instance)));
            });
        });
    }

    /// <summary>The token to hand out while issuing: the one a refresh replaces, as long as it is valid.</summary>
    private TokenIssue? Servable() => _serving is { } s && s.ExpiresAt > _time.GetUtcNow() ? s : null;

    private void OnIssueFailed(Exception error)
    {
        var revoked = error is ReplacedTokenRevoked;
        if (revoked) error = error.InnerException!;
        var failure = error switch
        {
            FeedFailureException f => f,
            TokenRequestException request => request.ToFailure(),
            var other => new TokenRequestException(null, null, Redact.Scrub(other.Message, _settings.AppKey, _settings.SecretKey), other).ToFailure(),
        };
        if (revoked || failure.Kind != FailureKind.Transient || Servable() is not { } serving)
            throw failure;
        // A refresh failed, but the token it was to replace is still valid: keep handing that out and try again later.
        _refreshFailures++;
        var delay = _refreshBackoff.DelayFor(_refreshFailures, FailureKind.Transient, Random.Shared.NextDouble());
        var left = serving.ExpiresAt - _time.GetUtcNow();
        if (delay > left) delay = left;                     // the last try is at expiry; if that fails too, the failure is thrown
        Timers.StartSingleTimer(RefreshDue.Instance, RefreshDue.Instance, delay);
        _log.Warning("Token refresh failed ({Cause}, {Failures} in a row); keeping the current token, which expires at {ExpiresAt:O}; next try in {Delay}. {Detail}",
            failure.Cause, _refreshFailures, serving.ExpiresAt, delay, Redact.Scrub(failure.Message, serving.Token, _settings.AppKey, _settings.SecretKey));
        foreach (var w in _waiting) w.Tell(serving);
        _waiting.Clear();
        _serving = null;
        Ready();
    }

    private async Task<TokenIssue> IssueAsync(string? replacing)
    {
        var issue = await _client.IssueAsync(_cts.Token).ConfigureAwait(false);
        if (replacing is null || issue.Token != replacing) return issue;
        if (replacing == _current?.Token && issue.ExpiresAt > _current.ExpiresAt + _settings.TokenRefreshBeforeExpiry)
            return issue; // the server extended the same token
        await _client.RevokeAsync(replacing, _cts.Token).ConfigureAwait(false);
        // from here on the token being replaced is gone on the server: a failure cannot fall back on it
        try
        {
            issue = await _client.IssueAsync(_cts.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw new ReplacedTokenRevoked(e);
        }
        return issue.Token != replacing
            ? issue
            : throw new ReplacedTokenRevoked(new TokenRequestException(null, null, "the token endpoint handed back the token it was asked to replace, even after revoking it"));
    }

    private void OnIssued(TokenIssue issue)
    {
        var now = _time.GetUtcNow();
        var remaining = issue.ExpiresAt - now;
        var refreshIn = remaining - _settings.TokenRefreshBeforeExpiry;
        if (refreshIn < remaining / 2) refreshIn = remaining / 2; // short-lived tokens: refresh half way
        if (refreshIn < TimeSpan.FromSeconds(1)) refreshIn = TimeSpan.FromSeconds(1);
        var replaced = _current is not null;
        _current = issue;
        _serving = null;
        _refreshFailures = 0;
        Context.Parent.Tell(BackoffReset.Instance);         // a token was issued: the token supervisor's backoff starts over
        _log.Info("Token {Action}: expires at {ExpiresAt:O}, next issue in {RefreshIn}",
            replaced ? "replaced" : "issued", issue.ExpiresAt, refreshIn);
        Timers.StartSingleTimer(RefreshDue.Instance, RefreshDue.Instance, refreshIn);
        foreach (var w in _waiting) w.Tell(issue);
        _waiting.Clear();
        Ready();
    }

    private sealed record Issued(TokenIssue Issue);

    /// <summary>The issue after revoking the token being replaced failed: that token is gone, so it cannot be kept.</summary>
    private sealed class ReplacedTokenRevoked(Exception inner) : Exception(inner.Message, inner);

    private sealed class RefreshDue : IDeadLetterSuppression
    {
        public static readonly RefreshDue Instance = new();
    }
}
