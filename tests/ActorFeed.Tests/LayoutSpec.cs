using System.Text.RegularExpressions;

namespace ActorFeed.Tests;

/// <summary>The core's namespaces follow the actor tree and form layers: no two of them depend on each other.</summary>
public sealed partial class LayoutSpec
{
    [Fact]
    public void Core_namespaces_must_not_depend_on_each_other_in_a_cycle()
    {
        var files = Directory.EnumerateFiles(Repo.File("src", "ActorFeed"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Select(f => (Text: File.ReadAllText(f), Code: Code(File.ReadAllText(f))))
            .Select(f => (f.Text, f.Code, Namespace: Namespace().Match(f.Text).Groups[1].Value))
            .ToList();
        var namespaces = files.Select(f => f.Namespace).ToHashSet();
        // types of the root namespace are visible everywhere without a using: find their uses by name
        var rootTypes = files.Where(f => f.Namespace == "ActorFeed").SelectMany(f => Declared().Matches(f.Code).Select(m => m.Groups[1].Value)).ToHashSet();
        var edges = new Dictionary<string, HashSet<string>>();
        foreach (var (text, code, ns) in files)
        {
            if (!edges.TryGetValue(ns, out var deps)) edges[ns] = deps = [];
            foreach (Match m in Using().Matches(text))
            {
                var target = m.Groups[2].Value;
                if (m.Groups[1].Success) target = target[..target.LastIndexOf('.')];  // using static Namespace.Type
                deps.Add(target);
            }
            foreach (Match m in Qualified().Matches(code))                                // Settings.Redact, ActorFeed.Token.X
            {
                var target = m.Groups[1].Value.StartsWith("ActorFeed.", StringComparison.Ordinal) ? m.Groups[1].Value : "ActorFeed." + m.Groups[1].Value;
                if (namespaces.Contains(target)) deps.Add(target);
            }
            // used as a type: Feed.Start, new FeedProtocol..., FeedDependencies deps (not a tuple element named Feed)
            if (ns != "ActorFeed" && rootTypes.Any(t => Regex.IsMatch(code, $@"(?<![\w.]){t}(?=\s*[.<(\[?]|\s+[_A-Za-z]\w*\s*[=;,)])"))) deps.Add("ActorFeed");
            deps.Remove(ns);
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

    /// <summary>The source without comments and string literals, so that prose and text do not count as references.</summary>
    private static string Code(string text) => Strings().Replace(Comments().Replace(text, ""), "\"\"");

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex Comments();

    [GeneratedRegex(@"@?\$?""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex Strings();

    [GeneratedRegex(@"^(?:public |internal )?(?:sealed |static |abstract |partial )*(?:class|record|struct|interface|enum) (\w+)", RegexOptions.Multiline)]
    private static partial Regex Declared();

    [GeneratedRegex(@"(?<![\w.])((?:ActorFeed\.)?(?:Messages|Settings|Diagnostics|Kiwoom|Transport|Supervision|Token|Subscriptions|Connection|Conditions))\.[A-Z]\w*")]
    private static partial Regex Qualified();

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"^using (static )?(ActorFeed(?:\.\w+)*);", RegexOptions.Multiline)]
    private static partial Regex Using();
}
