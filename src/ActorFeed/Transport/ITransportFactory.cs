namespace ActorFeed.Transport;

/// <summary>Makes a fresh transport for each connection attempt.</summary>
public interface ITransportFactory
{
    /// <summary>A new, unconnected transport.</summary>
    IFeedTransport Create();
}
