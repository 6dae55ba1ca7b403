using Microsoft.Playwright;

namespace ActorFeed.Dashboard.Tests;

/// <summary>
/// Headless Chromium driven by Playwright for .NET. The browser is the distribution's (<c>/usr/bin/chromium</c>,
/// which <c>.ci/run</c> installs when it is missing; another with <c>ACTORFEED_CHROMIUM</c>): the tests never download
/// one, and fail (never skip) with a clear message when it is not there. Playwright's driver ships in its NuGet package.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string DefaultPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Chromium = browser;
    }

    public IBrowser Chromium { get; }

    public static async Task<Browser> LaunchAsync()
    {
        var path = Environment.GetEnvironmentVariable("ACTORFEED_CHROMIUM") is { Length: > 0 } p ? p : DefaultPath;
        if (!File.Exists(path))
            throw new InvalidOperationException(
                $"Chromium not found at {path}: the browser tests need it. Install it with 'apt-get install -y chromium' (.ci/run does), " +
                "or set ACTORFEED_CHROMIUM to a Chromium executable.");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = path,
                Headless = true,
                Args = Environment.IsPrivilegedProcess ? ["--no-sandbox"] : [],     // Chromium's sandbox refuses to run as root
            });
            return new Browser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async Task<IPage> OpenAsync(Uri url)
    {
        var page = await Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        await page.GotoAsync(url.ToString());
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await Chromium.DisposeAsync();
        _playwright.Dispose();
    }
}
