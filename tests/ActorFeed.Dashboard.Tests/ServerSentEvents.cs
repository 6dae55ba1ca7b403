using System.Text;
using System.Text.Json;

namespace ActorFeed.Dashboard.Tests;

/// <summary>One server-sent event as the page's EventSource sees it.</summary>
public sealed record ServerSentEvent(string Name, string Data, DateTimeOffset ReceivedAt)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement;
}

/// <summary>Reads GET {dashboard}/events as a browser would, keeping the raw text (for the secrets test).</summary>
public sealed class ServerSentEvents : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly StringBuilder _raw = new();

    private ServerSentEvents(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public string Raw => _raw.ToString();
    public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

    public static async Task<ServerSentEvents> OpenAsync(HttpClient http, string path = "events")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("text/event-stream");
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new ServerSentEvents(response, new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8));
    }

    /// <summary>The next event (comments and the retry field skipped); throws when none comes within <paramref name="timeout"/>.</summary>
    public async Task<ServerSentEvent> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        string? name = null;
        var data = new StringBuilder();
        while (true)
        {
            var line = await _reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("the event stream ended");
            _raw.Append(line).Append('\n');
            if (line.Length == 0)
            {
                if (name is not null || data.Length > 0) return new ServerSentEvent(name ?? "message", data.ToString(), DateTimeOffset.UtcNow);
                continue;
            }
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Append(line[6..]);
        }
    }

    /// <summary>Events until one matches (that one included).</summary>
    public async Task<List<ServerSentEvent>> UntilAsync(Func<ServerSentEvent, bool> done, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var seen = new List<ServerSentEvent>();
        while (true)
        {
            var evt = await NextAsync().WaitAsync(cts.Token);
            seen.Add(evt);
            if (done(evt)) return seen;
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
