using System.Net.WebSockets;
using ActorFeed.Settings;

namespace ActorFeed.Transport;

/// <summary>
/// <see cref="IFeedTransport"/> over <see cref="ClientWebSocket"/> with RFC 6455 keepalive: a ping every
/// <see cref="ActorFeedSettings.KeepAliveInterval"/>, and the link is aborted when no pong arrives within
/// <see cref="ActorFeedSettings.KeepAliveTimeout"/> (this only works while a receive is pending, which the
/// ConnectionActor's receive loop guarantees).
/// </summary>
internal sealed class WebSocketTransport : IFeedTransport
{
    private readonly ClientWebSocket _socket = new();
    private readonly int _maxMessageBytes;
    private byte[] _buffer;

    public WebSocketTransport(ActorFeedSettings settings)
    {
        _maxMessageBytes = settings.MaxFrameBytes;
        _buffer = new byte[Math.Min(16 * 1024, _maxMessageBytes)];   // never more than the limit, or it is not enforced
        _socket.Options.KeepAliveInterval = settings.KeepAliveInterval;
        if (settings.KeepAliveInterval > TimeSpan.Zero)
            _socket.Options.KeepAliveTimeout = settings.KeepAliveTimeout;
    }

    public Task ConnectAsync(Uri uri, CancellationToken cancellationToken) => _socket.ConnectAsync(uri, cancellationToken);

    public ValueTask SendAsync(ReadOnlyMemory<byte> utf8Text, CancellationToken cancellationToken) =>
        _socket.SendAsync(utf8Text, WebSocketMessageType.Text, true, cancellationToken);

    public async ValueTask<TransportMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                if (_buffer.Length >= _maxMessageBytes)
                    throw new WebSocketException(WebSocketError.Faulted, $"message larger than {_maxMessageBytes} bytes (actorfeed.connection.max-frame-bytes)");
                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, _maxMessageBytes));
            }
            var result = await _socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
                return TransportMessage.Close(_socket.CloseStatus ?? WebSocketCloseStatus.Empty, _socket.CloseStatusDescription);
            length += result.Count;
            if (result.EndOfMessage) return TransportMessage.Text(_buffer.AsSpan(0, length).ToArray());
        }
    }

    public async Task CloseAsync(WebSocketCloseStatus status, string description, CancellationToken cancellationToken)
    {
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            await _socket.CloseAsync(status, description, cancellationToken).ConfigureAwait(false);
    }

    public void Abort() => _socket.Abort();

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
