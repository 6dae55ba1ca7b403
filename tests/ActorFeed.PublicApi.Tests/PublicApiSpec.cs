using System.Reflection;
using ActorFeed.Cluster;
using ActorFeed.Hosting;
using ActorFeed.Simulator;
using PublicApiGenerator;

namespace ActorFeed.PublicApi.Tests;

/// <summary>
/// The public API of each shipped assembly, compared with the text checked in under approved/. A change to the
/// public API fails here until the approved file is updated in the same commit, so every API change is reviewed.
/// To accept: copy approved/X.received.txt over approved/X.approved.txt, or run the tests once with
/// ACTORFEED_ACCEPT_API=1 (rewrites every approved file and still fails, so it cannot pass unnoticed).
/// </summary>
public sealed class PublicApiSpec
{
    private const string AcceptVariable = "ACTORFEED_ACCEPT_API";

    // Build metadata, not API: AssemblyMetadata("RepositoryUrl", ...) comes from the packaging properties.
    private static readonly ApiGeneratorOptions Options = new() { ExcludeAttributes = ["System.Reflection.AssemblyMetadataAttribute"] };

    [Fact]
    public void ActorFeed_must_keep_its_approved_public_api() => Approve(typeof(Feed).Assembly);

    [Fact]
    public void ActorFeed_Hosting_must_keep_its_approved_public_api() => Approve(typeof(IActorFeedClient).Assembly);

    [Fact]
    public void ActorFeed_Simulator_must_keep_its_approved_public_api() => Approve(typeof(KiwoomSimulator).Assembly);

    [Fact]
    public void ActorFeed_Cluster_must_keep_its_approved_public_api() => Approve(typeof(FeedCluster).Assembly);

    private static void Approve(Assembly assembly)
    {
        var name = assembly.GetName().Name!;
        var received = Normalize(assembly.GeneratePublicApi(Options));
        var approvedPath = Path.Combine(Repo.ApprovedDirectory, name + ".approved.txt");
        var receivedPath = Path.Combine(Repo.ApprovedDirectory, name + ".received.txt");
        var approved = File.Exists(approvedPath) ? Normalize(File.ReadAllText(approvedPath)) : null;

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            Directory.CreateDirectory(Repo.ApprovedDirectory);
            File.WriteAllText(approvedPath, received);
            File.Delete(receivedPath);
            Assert.Fail($"{AcceptVariable}=1: wrote {approvedPath}{(approved == received ? " (unchanged)" : "")}. " +
                        $"Review and commit it, then run the tests again without {AcceptVariable}.");
        }

        if (approved == received)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, received);
        Assert.Fail(
            (approved is null ? $"No approved public API for {name} ({approvedPath} is missing)." : $"The public API of {name} changed.") +
            $"\nReceived: {receivedPath}\nApproved: {approvedPath}\n" +
            $"If the change is intended, accept it: cp \"{receivedPath}\" \"{approvedPath}\" " +
            $"(or run the tests with {AcceptVariable}=1), and commit the approved file.\n" +
            FirstDifference(approved ?? "", received));
    }

    private static string Normalize(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n') + "\n";

    private static string FirstDifference(string approved, string received)
    {
        var a = approved.Split('\n');
        var r = received.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, r.Length); i++)
        {
            var left = i < a.Length ? a[i] : "<end>";
            var right = i < r.Length ? r[i] : "<end>";
            if (left != right) return $"First difference at line {i + 1}:\n  approved: {left}\n  received: {right}";
        }
        return "";
    }
}
