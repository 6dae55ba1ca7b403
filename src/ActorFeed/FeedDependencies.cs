using ActorFeed.Settings;
using ActorFeed.Transport;
using ActorFeed.Token;

namespace ActorFeed;

/// <summary>What the feed talks to; tests replace these with fakes.</summary>
public sealed record FeedDependencies(ITokenClient TokenClient, ITransportFactory Transports, TimeProvider Time)
{
    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient());

    /// <summary>The real REST token client and ClientWebSocket transport.</summary>
    public static FeedDependencies Real(ActorFeedSettings settings) =>
        new(new KiwoomTokenClient(SharedHttp.Value, settings), new WebSocketTransportFactory(settings), TimeProvider.System);
}
