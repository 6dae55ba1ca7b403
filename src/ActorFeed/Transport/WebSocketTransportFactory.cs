using ActorFeed.Settings;

namespace ActorFeed.Transport;

/// <summary>Makes <see cref="WebSocketTransport"/>s.</summary>
public sealed class WebSocketTransportFactory(ActorFeedSettings settings) : ITransportFactory
{
    public IFeedTransport Create() => new WebSocketTransport(settings);
}
