using System.Net.WebSockets;

namespace ActorFeed.Transport;

/// <summary>One received message: the text bytes, or the peer's close.</summary>
public readonly record struct TransportMessage(byte[] Data, WebSocketCloseStatus? CloseStatus, string? CloseDescription)
{
    public bool IsClose => CloseStatus.HasValue;
    public static TransportMessage Text(byte[] data) => new(data, null, null);
    public static TransportMessage Close(WebSocketCloseStatus status, string? description) => new([], status, description);
}
