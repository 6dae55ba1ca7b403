using System.Text;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using ActorFeed.Hosting.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorFeed.Hosting;

/// <summary>
/// The live status page of the feed: <c>app.MapActorFeedDashboard("/actorfeed")</c> in any ASP.NET Core host that runs
/// the feed with <c>WithActorFeed</c>. In the namespace of <c>AddActorFeed</c>, so that the one <c>using</c> serves both.
/// </summary>
public static class ActorFeedDashboardExtensions
{
    /// <summary>
    /// Maps the dashboard under <paramref name="pattern"/>: <c>GET {pattern}</c> the page (one self-contained HTML file
    /// embedded in this assembly: no CDN, no build step), <c>GET {pattern}/status</c> a JSON snapshot (state, cause,
    /// attempt, next retry, subscriptions, per code/type the last tick's time and price, ticks per second, staleness
    /// and gaps, the supervision timeline, recoveries, conditions), and <c>GET {pattern}/events</c> server-sent events:
    /// a <c>snapshot</c> about once a second while a page listens, and <c>state</c> / <c>decision</c> events as they happen
    /// (never one event per tick). Read-only, and nothing on it carries a secret; it has no authentication of its own:
    /// add it on the returned builder (e.g. <c>.RequireAuthorization()</c>) or bind the host to loopback.
    /// </summary>
    /// <param name="endpoints">The application (or any endpoint route builder).</param>
    /// <param name="pattern">The page's path; defaults to <c>/actorfeed</c>.</param>
    /// <returns>The conventions builder of the three endpoints, e.g. for <c>RequireAuthorization()</c>.</returns>
    public static IEndpointConventionBuilder MapActorFeedDashboard(this IEndpointRouteBuilder endpoints, string pattern = "/actorfeed")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        var group = endpoints.MapGroup(pattern.TrimEnd('/') is { Length: > 0 } p ? p : "/");
        group.MapGet("/", Page);
        group.MapGet("/status", (Delegate)Status);
        group.MapGet("/events", Events);
        return group;
    }

    private static readonly Lazy<byte[]> PageBytes = new(() =>
    {
        using var stream = typeof(ActorFeedDashboardExtensions).Assembly.GetManifestResourceStream("ActorFeed.Hosting.Dashboard.dashboard.html")
            ?? throw new InvalidOperationException("the dashboard page is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>The page may run its own inline script and style and talk to its own origin; nothing else.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; frame-ancestors 'self'";

    private static async Task Page(HttpContext context)
    {
        NoCache(context.Response);
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.Body.WriteAsync(PageBytes.Value, context.RequestAborted);
    }

    private static async Task<IResult> Status(HttpContext context)
    {
        NoCache(context.Response);
        var collector = await Collector(context);
        if (collector is null) return Unavailable();
        try
        {
            var snapshot = await collector.Ask<DashboardSnapshot>(DashboardCollector.GetSnapshot.Instance, TimeSpan.FromSeconds(5), context.RequestAborted);
            return Results.Json(snapshot, DashboardCollector.Json);
        }
        catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            return Unavailable();                                       // the feed did not answer in time, or is stopping
        }
    }

    private static async Task Events(HttpContext context)
    {
        var collector = await Collector(context);
        if (collector is null)
        {
            await Unavailable().ExecuteAsync(context);
            return;
        }
        var stopping = context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var channel = Channel.CreateBounded<DashboardEvent>(new BoundedChannelOptions(16)
        {
            FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true,
        });
        var response = context.Response;
        NoCache(response);
        response.ContentType = "text/event-stream";
        response.Headers["X-Accel-Buffering"] = "no";
        collector.Tell(new DashboardCollector.Listen(channel.Writer));
        try
        {
            await response.WriteAsync("retry: 2000\n\n", done.Token);     // the page's EventSource retries every 2 s
            await response.Body.FlushAsync(done.Token);
            await foreach (var evt in channel.Reader.ReadAllAsync(done.Token))
            {
                await response.WriteAsync(Frame(evt), Encoding.UTF8, done.Token);
                await response.Body.FlushAsync(done.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // the page left, or the host stops
        }
        finally
        {
            collector.Tell(new DashboardCollector.Unlisten(channel.Writer));
        }
    }

    private static string Frame(DashboardEvent evt) => $"event: {evt.Name}\ndata: {evt.Json}\n\n";

    private static async Task<IActorRef?> Collector(HttpContext context)
    {
        var registry = context.RequestServices.GetService<ActorRegistry>();
        if (registry is null) return null;
        if (registry.TryGet<DashboardCollector>(out var collector)) return collector;
        // the actor system may still be starting: wait a little for the feed
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        wait.CancelAfter(TimeSpan.FromSeconds(5));
        try { return await registry.GetAsync<DashboardCollector>(wait.Token); }
        catch (OperationCanceledException) { return null; }
    }

    private static IResult Unavailable() =>
        Results.Problem("the feed is not running in this host (WithActorFeed) or does not answer", statusCode: StatusCodes.Status503ServiceUnavailable);

    private static void NoCache(HttpResponse response) => response.Headers.CacheControl = "no-store";
}
