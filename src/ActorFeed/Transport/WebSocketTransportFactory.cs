using ActorFeed.Settings;

namespace ActorFeed.Transport;

/// <summary>Makes <see cref="WebSocketTransport"/>s.</summary>
internal sealed class WebSocketTransportFactory(ActorFeedSettings settings) : ITransportFactory
{
    public IFeedTransport Create() => new WebSocketTransport(settings);
}
