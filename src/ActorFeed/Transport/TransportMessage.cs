using System.Net.WebSockets;

namespace ActorFeed.Transport;

/// <summary>One received message: the text bytes, or the peer's close.</summary>
/// <param name="Data">UTF-8 bytes of a text message; empty for a close.</param>
/// <param name="CloseStatus">The peer's close status, or null for a text message.</param>
/// <param name="CloseDescription">The peer's close description, if any.</param>
public readonly record struct TransportMessage(byte[] Data, WebSocketCloseStatus? CloseStatus, string? CloseDescription)
{
    /// <summary>True when the peer closed the connection (<see cref="CloseStatus"/> is set, <see cref="Data"/> is empty).</summary>
    public bool IsClose => CloseStatus.HasValue;

    /// <summary>A complete text message; <paramref name="data"/> is its UTF-8 bytes, owned by the receiver from now on.</summary>
    public static TransportMessage Text(byte[] data) => new(data, null, null);

    /// <summary>The peer's close frame with its status and description.</summary>
    public static TransportMessage Close(WebSocketCloseStatus status, string? description) => new([], status, description);
}
