using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;
using ActorFeed.Hosting;
using ActorFeed.Simulator;
using ActorFeed.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorFeed.Cluster.Tests;

/// <summary><c>WithActorFeedCluster(sp)</c> in a Generic Host: keys from configuration, IActorFeedClient on the agent.</summary>
[Collection("cluster")]
public sealed class HostingSpec
{
    [Fact]
    public async Task WithActorFeedCluster_must_serve_IActorFeedClient_with_the_app_keys_from_configuration()
    {
        await using var sim = await KiwoomSimulator.StartAsync(new SimulatorOptions { TicksPerSecondPerItem = 20 });
        var builder = Host.CreateApplicationBuilder(
        [
            $"--ActorFeed:RestBaseUrl={sim.RestBaseUrl}",
            $"--ActorFeed:WebSocketUrl={sim.WebSocketUrl}",
            "--ActorFeed:BackoffMin=00:00:00.050",
            "--ActorFeed:MarketCalendar=always",
            "--ActorFeed:Cluster:MaxCodesPerSession=5",
            "--ActorFeed:Cluster:AppKeys:0:Name=k1",
            "--ActorFeed:Cluster:AppKeys:0:AppKey=host-cluster-app-key-0123",
            "--ActorFeed:Cluster:AppKeys:0:SecretKey=host-cluster-secret-0123",
        ]);
        builder.Services.AddActorFeed(builder.Configuration);
        builder.Services.AddAkka("host-cluster", (b, sp) => b
            .WithRemoting(new RemoteOptions { HostName = "127.0.0.1", Port = 0 })
            .WithClustering(new ClusterOptions { Roles = ["actorfeed"], SplitBrainResolver = new KeepMajorityOption() })
            .WithActorFeedCluster(sp)
            .WithActors((system, _) => Akka.Cluster.Cluster.Get(system).Join(Akka.Cluster.Cluster.Get(system).SelfAddress)));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<IActorFeedClient>();
            await using var ticks = client.Subscribe(["005930", "000660"], "0B");
            await ticks.Settled.WaitAsync(TestKitConfig.Dilated(TimeSpan.FromSeconds(30)));
            Assert.Empty(ticks.Rejected);
            using var cts = new CancellationTokenSource(TestKitConfig.Dilated(TimeSpan.FromSeconds(10)));
            var seen = new HashSet<string>();
            await foreach (var tick in ticks.WithCancellation(cts.Token))
                if (seen.Add(tick.Code) && seen.Count == 2) break;
            var status = await client.GetStatusAsync();
            Assert.Equal(2, status.ConfirmedSubscriptions);
            Assert.Single(sim.Record.LiveSessions("host-cluster-app-key-0123"));
        }
        finally
        {
            await host.StopAsync();
        }
        // the host's stop left the cluster: the session was REMOVEd and closed
        var session = Assert.Single(sim.Record.LiveSessions("host-cluster-app-key-0123"));
        Assert.StartsWith("client closed 1000", session.CloseReason);
    }
}
