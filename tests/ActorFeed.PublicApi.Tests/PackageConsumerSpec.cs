using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace ActorFeed.PublicApi.Tests;

/// <summary>
/// The packages as a user gets them: ActorFeed, ActorFeed.Hosting, ActorFeed.Simulator and ActorFeed.Cluster are packed (Release, a unique
/// prerelease version, build output outside the repository's bin/obj) into a temporary folder; consumer/ is copied to a
/// temporary folder outside the repository (none of its Directory.*.props apply), restored from that folder plus
/// nuget.org into its own global packages folder (the user's package cache is only a read-only fallback for the
/// dependencies), built, and run: it starts the simulator in-process, starts a feed, subscribes 005930/0B and prints
/// the first tick.
/// </summary>
[Trait("Category", "Packaging")]
public sealed class PackageConsumerSpec(ITestOutputHelper output)
{
    private static readonly string[] Shipped = ["ActorFeed", "ActorFeed.Hosting", "ActorFeed.Simulator", "ActorFeed.Cluster"];

    [Fact]
    public async Task Packages_must_install_into_a_fresh_project_outside_the_repository_and_deliver_a_tick()
    {
        var work = Path.Combine(Path.GetTempPath(), "actorfeed-consumer-" + Guid.NewGuid().ToString("N")[..8]);
        Assert.False(Path.GetFullPath(work).StartsWith(Repo.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal), "work folder inside the repository");
        Directory.CreateDirectory(work);
        var packages = Path.Combine(work, "packages");
        var consumer = Path.Combine(work, "consumer");
        var version = $"{BaseVersion()}-ci.{DateTime.UtcNow:yyyyMMddHHmmss}";
        output.WriteLine($"work folder {work}, version {version}");
        var total = Stopwatch.StartNew();

        // 1. pack the shipped projects (a solution filter of ActorFeed.sln)
        var filter = Path.Combine(work, "shipped.slnf");
        File.WriteAllText(filter, $$"""
            { "solution": { "path": "{{Path.Combine(Repo.Root, "ActorFeed.sln").Replace("\\", "\\\\")}}",
              "projects": [ {{string.Join(", ", Shipped.Select(p => $"\"src/{p}/{p}.csproj\""))}} ] } }
            """);
        await Dotnet(work, TimeSpan.FromMinutes(5), "pack", filter, "-c", "Release", "-o", packages,
            "--artifacts-path", Path.Combine(work, "artifacts"), $"-p:Version={version}");
        var produced = Directory.GetFiles(packages).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Shipped.SelectMany(p => new[] { $"{p}.{version}.nupkg", $"{p}.{version}.snupkg" }).Order(StringComparer.Ordinal), produced);
        foreach (var id in Shipped)
        {
            using var nupkg = ZipFile.OpenRead(Path.Combine(packages, $"{id}.{version}.nupkg"));
            var entries = nupkg.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Superset(new HashSet<string> { "README.md", "LICENSE", $"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml" }, entries);
        }

        // 2. a user's project outside the repository, restored from the packed folder and nuget.org
        Directory.CreateDirectory(consumer);
        foreach (var file in new[] { "Consumer.csproj", "Program.cs" })
            File.Copy(Path.Combine(Repo.Root, "tests", "ActorFeed.PublicApi.Tests", "consumer", file), Path.Combine(consumer, file));
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
            File.WriteAllText(Path.Combine(consumer, file), "<Project />\n");      // stops MSBuild's search upwards
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), NuGetConfig(packages, Path.Combine(work, "global-packages")));
        await Dotnet(consumer, TimeSpan.FromMinutes(3), "build", $"-p:ActorFeedVersion={version}");
        var assets = File.ReadAllText(Path.Combine(consumer, "obj", "project.assets.json"));
        foreach (var id in Shipped) Assert.Contains($"\"{id}/{version}\"", assets);

        // 3. run it
        var (_, stdout) = await Dotnet(consumer, TimeSpan.FromSeconds(60), Path.Combine(consumer, "bin", "Debug", "net10.0", "Consumer.dll"));
        Assert.Contains("confirmed 005930 0B", stdout);
        Assert.Matches(new Regex(@"^tick 005930 0B 주식체결 price=\d+ volume=-?\d+$", RegexOptions.Multiline), stdout);

        output.WriteLine($"total {total.Elapsed.TotalSeconds:F1} s");
        Directory.Delete(work, recursive: true);                                   // kept when the test fails, to look into
    }

    /// <summary>The version in Directory.Build.props, as built into the referenced ActorFeed assembly (without the commit).</summary>
    private static string BaseVersion()
    {
        var informational = typeof(Feed).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        return informational.Split('+', '-')[0];
    }

    private static string NuGetConfig(string localSource, string globalPackages)
    {
        var userCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var fallback = Directory.Exists(userCache) ? $"""<add key="user-cache" value="{userCache}" />""" : "";
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{globalPackages}" />
              </config>
              <fallbackPackageFolders>
                <clear />
                {fallback}
              </fallbackPackageFolders>
              <packageSources>
                <clear />
                <add key="local" value="{localSource}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """;
    }

    /// <summary>Runs dotnet with no build servers left behind (they would keep the output pipes open) and
    /// without the MSBuild variables of the test run; fails on a non-zero exit or a timeout.</summary>
    private async Task<(TimeSpan Took, string Stdout)> Dotnet(string directory, TimeSpan timeout, params string[] args)
    {
        var isCommand = args[0] is "pack" or "build";
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (isCommand)
        {
            psi.ArgumentList.Add("--disable-build-servers");
            psi.ArgumentList.Add("-nologo");
        }
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "NUGET_PACKAGES").ToList())
            psi.Environment.Remove(key);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        var line = $"dotnet {string.Join(' ', psi.ArgumentList)}";
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{line}\ndid not finish within {timeout}\n{await stdout}\n{await stderr}");
        }
        var (outText, errText) = (await stdout, await stderr);
        output.WriteLine($"{line}: exit {process.ExitCode} in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(process.ExitCode == 0, $"{line}\nexit {process.ExitCode}\n{outText}\n{errText}");
        if (!isCommand) output.WriteLine(outText);
        return (watch.Elapsed, outText);
    }
}
