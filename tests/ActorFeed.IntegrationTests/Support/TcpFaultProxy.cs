using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ActorFeed.IntegrationTests.Support;

/// <summary>
/// A TCP proxy on 127.0.0.1 (port chosen by the OS) for faults below the WebSocket layer:
/// <see cref="Blackhole"/> stops forwarding both ways without closing (a half-open link),
/// <see cref="ResetAll"/> drops every connection with a TCP RST, <see cref="Latency"/> delays every chunk.
/// </summary>
public sealed class TcpFaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Link, bool> _links = new();
    private readonly Task _accept;

    public TcpFaultProxy(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = Task.Run(AcceptLoop);
    }

    public int Port { get; }
    public TimeSpan Latency { get; set; }
    public int Connections => _links.Count;

    /// <summary>Every current connection stops carrying bytes in both directions; sockets stay open. New connections pass.</summary>
    public void Blackhole()
    {
        foreach (var l in _links.Keys) l.Blackholed = true;
    }

    /// <summary>Every current connection is reset (RST) on both sides.</summary>
    public void ResetAll()
    {
        foreach (var l in _links.Keys) l.Reset();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false); }
            catch { return; }
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            client.NoDelay = true;
            try { await server.ConnectAsync(_target, _stop.Token).ConfigureAwait(false); }
            catch { client.Dispose(); server.Dispose(); continue; }
            var link = new Link(client, server);
            _links[link] = true;
            _ = Task.WhenAll(Pump(link, client, server), Pump(link, server, client)).ContinueWith(_ => { _links.TryRemove(link, out bool _); link.Dispose(); }, TaskScheduler.Default);
        }
    }

    private async Task Pump(Link link, Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, link.Token).ConfigureAwait(false);
                if (n == 0) { to.Shutdown(SocketShutdown.Send); return; }
                if (link.Blackholed) continue;                      // swallowed: the peer hears nothing
                if (Latency > TimeSpan.Zero) await Task.Delay(Latency, link.Token).ConfigureAwait(false);
                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, link.Token).ConfigureAwait(false);
            }
        }
        catch
        {
            link.Reset();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var l in _links.Keys) l.Reset();
        try { await _accept.ConfigureAwait(false); } catch { }
    }

    private sealed class Link(Socket a, Socket b) : IDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        public volatile bool Blackholed;
        public CancellationToken Token => _cts.Token;

        public void Reset()
        {
            foreach (var s in new[] { a, b })
            {
                try { s.LingerState = new LingerOption(true, 0); s.Close(); } catch { }
            }
            try { _cts.Cancel(); } catch { }
        }

        public void Dispose()
        {
            a.Dispose();
            b.Dispose();
            _cts.Dispose();
        }
    }
}
