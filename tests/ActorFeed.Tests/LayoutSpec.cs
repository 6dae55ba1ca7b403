using System.Text.RegularExpressions;

namespace ActorFeed.Tests;

/// <summary>The core's namespaces follow the actor tree and form layers: no two of them depend on each other.</summary>
public sealed partial class LayoutSpec
{
    [Fact]
    public void Core_namespaces_must_not_depend_on_each_other_in_a_cycle()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "ActorFeed.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var edges = new Dictionary<string, HashSet<string>>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root.FullName, "src", "ActorFeed"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")) continue;
            var text = File.ReadAllText(file);
            var ns = Namespace().Match(text).Groups[1].Value;
            if (!edges.TryGetValue(ns, out var deps)) edges[ns] = deps = [];
            foreach (Match m in Using().Matches(text))
            {
                var target = m.Groups[2].Value;
                if (m.Groups[1].Success) target = target[..target.LastIndexOf('.')];  // using static Namespace.Type
                if (target != ns) deps.Add(target);
            }
        }
        Assert.Contains("ActorFeed.Connection", edges.Keys);                // the scan found the tree
        foreach (var start in edges.Keys)
        {
            var path = Cycle(start, start, edges, []);
            Assert.True(path is null, $"namespaces depend on each other: {string.Join(" -> ", path ?? [])}");
        }
    }

    private static List<string>? Cycle(string start, string at, Dictionary<string, HashSet<string>> edges, List<string> path)
    {
        path.Add(at);
        foreach (var next in edges.GetValueOrDefault(at, []))
        {
            if (next == start) return [.. path, next];
            if (path.Contains(next)) continue;
            if (Cycle(start, next, edges, path) is { } found) return found;
        }
        path.RemoveAt(path.Count - 1);
        return null;
    }

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"^using (static )?(ActorFeed(?:\.\w+)*);", RegexOptions.Multiline)]
    private static partial Regex Using();
}
