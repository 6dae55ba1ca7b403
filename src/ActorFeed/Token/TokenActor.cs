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
/// Any failure is thrown: its <see cref="RestartSupervisor"/> restarts it (bad credentials: the long permanent
/// backoff; 5xx, rate limits, timeouts: the token backoff). Secrets never reach the log.
/// </summary>
internal sealed class TokenActor : ReceiveActor, IWithTimers
{
    private readonly ITokenClient _client;
    private readonly ActorFeedSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _cts = new();
    private readonly HashSet<IActorRef> _waiting = [];
    private TokenIssue? _current;

    public TokenActor(ITokenClient client, ActorFeedSettings settings, TimeProvider time)
    {
        _client = client;
        _settings = settings;
        _time = time;
    }

    public static Props Props(ITokenClient client, ActorFeedSettings settings, TimeProvider? time = null) =>
        Akka.Actor.Props.Create(() => new TokenActor(client, settings, time ?? TimeProvider.System));

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() => Issuing(replacing: null);

    protected override void PostStop() => _cts.Cancel();

    private void Issuing(string? replacing)
    {
        Become(() =>
        {
            Receive<Issued>(r => OnIssued(r.Issue));
            Receive<Status.Failure>(f => throw f.Cause switch
            {
                FeedFailureException failure => failure,
                TokenRequestException request => request.ToFailure(),
                var other => new TokenRequestException(null, null, Redact.Scrub(other.Message, _settings.AppKey, _settings.SecretKey), other).ToFailure(),
            });
            Receive<GetToken>(_ => _waiting.Add(Sender));
            Receive<InvalidateToken>(_ => { });
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
                Issuing(replacing: _current.Token);
            });
            Receive<InvalidateToken>(m =>
            {
                if (_current is null || m.Token != _current.Token) return; // an older token: already replaced
                _log.Warning("Token rejected by the server; issuing a new one");
                Issuing(replacing: _current.Token);
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

    private async Task<TokenIssue> IssueAsync(string? replacing)
    {
        var issue = await _client.IssueAsync(_cts.Token).ConfigureAwait(false);
        if (replacing is null || issue.Token != replacing) return issue;
        if (replacing == _current?.Token && issue.ExpiresAt > _current.ExpiresAt + _settings.TokenRefreshBeforeExpiry)
            return issue; // the server extended the same token
        await _client.RevokeAsync(replacing, _cts.Token).ConfigureAwait(false);
        issue = await _client.IssueAsync(_cts.Token).ConfigureAwait(false);
        return issue.Token != replacing
            ? issue
            : throw new TokenRequestException(null, null, "the token endpoint handed back the token it was asked to replace, even after revoking it");
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
        _log.Info("Token {Action}: expires at {ExpiresAt:O}, next issue in {RefreshIn}",
            replaced ? "replaced" : "issued", issue.ExpiresAt, refreshIn);
        Timers.StartSingleTimer(RefreshDue.Instance, RefreshDue.Instance, refreshIn);
        foreach (var w in _waiting) w.Tell(issue);
        _waiting.Clear();
        Ready();
    }

    private sealed record Issued(TokenIssue Issue);

    private sealed class RefreshDue : IDeadLetterSuppression
    {
        public static readonly RefreshDue Instance = new();
    }
}
