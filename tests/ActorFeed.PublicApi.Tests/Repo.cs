namespace ActorFeed.PublicApi.Tests;

/// <summary>Paths in the repository, found from the test's output folder (not from [CallerFilePath]: CI builds map source paths).</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string ApprovedDirectory => Path.Combine(Root, "tests", "ActorFeed.PublicApi.Tests", "approved");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ActorFeed.sln"))) return dir.FullName;
        throw new InvalidOperationException($"ActorFeed.sln not found above {AppContext.BaseDirectory}");
    }
}
