namespace ActorFeed.Testing;

/// <summary>The repository's files, for tests that hold docs and sources to the code.</summary>
public static class Repo
{
    /// <summary>The folder of ActorFeed.sln, found upwards from the test assembly.</summary>
    public static string Root { get; } = Find();

    /// <summary>A path below <see cref="Root"/>.</summary>
    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "ActorFeed.sln"))) return dir.FullName;
        throw new InvalidOperationException($"ActorFeed.sln not found above {AppContext.BaseDirectory}");
    }
}
