using System.Net.WebSockets;

namespace ActorFeed.Transport;

/// <summary>
/// The seam between the ConnectionActor and the socket. One instance per connection attempt.
/// The actor runs exactly one receive loop and one send loop over it, so implementations need to allow
/// one <see cref="ReceiveAsync"/> concurrent with one <see cref="SendAsync"/>, nothing more.
/// </summary>
public interface IFeedTransport : IAsyncDisposable
{
    /// <summary>Opens the WebSocket to <paramref name="uri"/>; throws when the connection or the upgrade fails.</summary>
    Task ConnectAsync(Uri uri, CancellationToken cancellationToken);

    /// <summary>Sends one complete text message.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> utf8Text, CancellationToken cancellationToken);

    /// <summary>Receives one complete message. A close from the peer is returned as <see cref="TransportMessage.IsClose"/>;
    /// a broken link throws (<see cref="WebSocketException"/>, <see cref="OperationCanceledException"/> on keepalive timeout, ...).
    /// The returned array belongs to the caller and must not be reused: decoded ticks read their values from it.</summary>
    ValueTask<TransportMessage> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>Sends a close frame and waits for the peer's (bounded by the token).</summary>
    Task CloseAsync(WebSocketCloseStatus status, string description, CancellationToken cancellationToken);

    /// <summary>Drops the link at once, without a close handshake.</summary>
    void Abort();
}
