using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using ActorFeed.Transport;

namespace ActorFeed.Benchmarks;

/// <summary>An in-memory server for the ActorFeed-only figures: LOGIN and every REG/REMOVE succeed at once, and the
/// harness pushes pre-encoded REAL frames. No socket and no simulator in the measurement.</summary>
public sealed class LoopbackServer : ITransportFactory
{
    public LoopbackTransport? Current { get; private set; }
    public IFeedTransport Create() => Current = new LoopbackTransport();
}

public sealed class LoopbackTransport : IFeedTransport
{
    private static readonly byte[] LoginOk = """{"trnm":"LOGIN","return_code":0,"return_msg":""}"""u8.ToArray();
    private static readonly byte[] RegOk = """{"trnm":"REG","return_code":0,"return_msg":""}"""u8.ToArray();
    private static readonly byte[] RemoveOk = """{"trnm":"REMOVE","return_code":0,"return_msg":""}"""u8.ToArray();
    private readonly Channel<byte[]> _incoming = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });

    public Task ConnectAsync(Uri uri, CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask SendAsync(ReadOnlyMemory<byte> utf8Text, CancellationToken cancellationToken)
    {
        var s = utf8Text.Span;
        if (s.IndexOf("\"LOGIN\""u8) > 0) _incoming.Writer.TryWrite(LoginOk);
        else if (s.IndexOf("\"REG\""u8) > 0) _incoming.Writer.TryWrite(RegOk);
        else if (s.IndexOf("\"REMOVE\""u8) > 0) _incoming.Writer.TryWrite(RemoveOk);
        return ValueTask.CompletedTask;
    }

    public async ValueTask<TransportMessage> ReceiveAsync(CancellationToken cancellationToken) =>
        TransportMessage.Text(await _incoming.Reader.ReadAsync(cancellationToken));

    public void Push(byte[] frame) => _incoming.Writer.TryWrite(frame);

    public Task CloseAsync(WebSocketCloseStatus status, string description, CancellationToken cancellationToken)
    {
        _incoming.Writer.TryWrite(Encoding.UTF8.GetBytes("{\"trnm\":\"CLOSED\"}"));
        return Task.CompletedTask;
    }

    public void Abort() => _incoming.Writer.TryComplete();
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
