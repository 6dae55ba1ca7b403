using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Akka.Actor;
using ActorFeed.Transport;

namespace ActorFeed.Testing.Fakes;

/// <summary>Reported to the wire probe.</summary>
public sealed record TransportCreated(FakeTransport Transport);
public sealed record SentFrame(FakeTransport Transport, string Text);
public sealed record ConnectCalled(FakeTransport Transport);
public sealed record ClosedByClient(FakeTransport Transport, WebSocketCloseStatus Status);

/// <summary>An in-memory "server side" for the ConnectionActor: every transport it makes reports to <see cref="Wire"/>.</summary>
public sealed class FakeServer(IActorRef wire) : ITransportFactory
{
    public IActorRef Wire { get; } = wire;

    /// <summary>When true, ConnectAsync never completes (until cancelled): for connect timeouts.</summary>
    public volatile bool HangOnConnect;

    public IFeedTransport Create()
    {
        var t = new FakeTransport(this);
        Wire.Tell(new TransportCreated(t));
        return t;
    }
}

public sealed class FakeTransport(FakeServer server) : IFeedTransport
{
    private readonly Channel<Func<TransportMessage>> _incoming = Channel.CreateUnbounded<Func<TransportMessage>>();
    public bool Aborted { get; private set; }

    public async Task ConnectAsync(Uri uri, CancellationToken cancellationToken)
    {
        server.Wire.Tell(new ConnectCalled(this));
        if (server.HangOnConnect) await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> utf8Text, CancellationToken cancellationToken)
    {
        server.Wire.Tell(new SentFrame(this, Encoding.UTF8.GetString(utf8Text.Span)));
        return ValueTask.CompletedTask;
    }

    public async ValueTask<TransportMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        var next = await _incoming.Reader.ReadAsync(cancellationToken);
        return next();
    }

    public Task CloseAsync(WebSocketCloseStatus status, string description, CancellationToken cancellationToken)
    {
        server.Wire.Tell(new ClosedByClient(this, status));
        _incoming.Writer.TryWrite(() => TransportMessage.Close(status, description));
        return Task.CompletedTask;
    }

    public void Abort()
    {
        Aborted = true;
        _incoming.Writer.TryComplete(new WebSocketException(WebSocketError.InvalidState, "aborted"));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The server sends a text frame.</summary>
    public void Push(string text) => _incoming.Writer.TryWrite(() => TransportMessage.Text(Encoding.UTF8.GetBytes(text)));

    /// <summary>The server closes with a close frame.</summary>
    public void ServerClose(WebSocketCloseStatus status, string description = "") =>
        _incoming.Writer.TryWrite(() => TransportMessage.Close(status, description));

    /// <summary>The pending receive fails, as a dead link makes it.</summary>
    public void Fail(Exception error) => _incoming.Writer.TryWrite(() => throw error);
}
