using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using ActorFeed.Messages;
using ActorFeed.Settings;
using ActorFeed.Simulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ActorFeed.Hosting.Tests;

[Collection(HostCollection.Name)]
public sealed class HostingSpec
{
    private static readonly string[] Codes = ["005930", "000660", "035420"];

    [Fact]
    public async Task Host_must_resolve_the_feed_deliver_ticks_and_send_REMOVE_on_stop()
    {
        var f = await HostFixture.StartAsync();
        await using (f)
        {
            var required = f.Host.Services.GetRequiredService<IRequiredActor<ActorFeedActor>>();
            var feed = await required.GetAsync();
            Assert.Equal("/user/actorfeed", feed.Path.ToStringWithoutAddress());
            Assert.Same(feed, f.Host.Services.GetRequiredService<ActorRegistry>().Get<ActorFeedActor>());
            await f.WaitForState(FeedState.Connected);

            await using var stream = f.Client.Subscribe(Codes, "0B");
            var seen = new HashSet<string>();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await foreach (var tick in stream.WithCancellation(cts.Token))
                if (seen.Add(tick.Code) && seen.Count == Codes.Length) break;
            Assert.Equal(Codes.Order(), seen.Order());
            await stream.Settled.WaitAsync(TimeSpan.FromSeconds(10));           // ticks can overtake their confirmation
            Assert.Equal(3, stream.Confirmed.Count);
            Assert.Empty(stream.Rejected);

            await f.Host.StopAsync();                                           // returns once CoordinatedShutdown is done
            await f.Sim.Record.WaitUntilAsync(r => r.Sessions[0].ClosedAt is not null, TimeSpan.FromSeconds(10), "close");
            f.Sim.Record.Read(r =>
            {
                var s = r.Sessions.Single();
                Assert.Equal(Codes.Select(c => c + "/0B").Order(), s.RemoveRequests.Order());
                Assert.StartsWith("client closed 1000", s.CloseReason);
                Assert.Equal(0, r.TokenRevokes);                                // revoke-on-stop is off by default
                return true;
            });
        }
    }

    [Fact]
    public async Task Host_stop_must_finish_the_close_and_the_revoke_when_they_take_longer_than_Akka_s_default_phase_timeout()
    {
        var f = await HostFixture.StartAsync(commandLine:
        [
            "--ActorFeed:ShutdownTimeout=00:00:08",
            "--ActorFeed:RevokeTokenOnStop=true",
            "--ActorFeed:RequestTimeout=00:00:06",                           // the withheld REMOVE reply is given up after 6 s
        ]);
        await using (f)
        {
            var system = f.Host.Services.GetRequiredService<ActorSystem>();
            // 8 s for the close and 8 s for the revoke, plus a second: WithActorFeed(sp) sized the phase (Akka's default is 5 s)
            Assert.Equal(TimeSpan.FromSeconds(17), CoordinatedShutdown.Get(system).Timeout(Feed.ShutdownPhase));
            await f.WaitForState(FeedState.Connected);
            await using var stream = f.Client.Subscribe(["005930"], "0B");
            await stream.Settled.WaitAsync(TimeSpan.FromSeconds(10));
            f.Sim.Faults.WithholdRegReplies = true;                           // the server will not answer the REMOVE
            var atTermination = system.WhenTerminated.ContinueWith(_ => f.Sim.Record.Read(r =>
                (r.TokenRevokes, r.Sessions[0].CloseReason, r.Sessions[0].RemoveRequests.ToList(), r.Sessions[0].RepliesWithheld)),
                TaskContinuationOptions.ExecuteSynchronously);

            var stopping = Stopwatch.StartNew();
            await f.Host.StopAsync();
            var (revokes, closeReason, removes, withheld) = await atTermination.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(stopping.Elapsed > TimeSpan.FromSeconds(5.5), $"stopped after {stopping.Elapsed}: the REMOVE was not waited for");
            Assert.Equal(["005930/0B"], removes);
            Assert.Equal(1, withheld);
            Assert.StartsWith("client closed 1000", closeReason);               // closed gracefully, not cut by the phase timeout
            Assert.Equal(1, revokes);                                           // and revoked, before the system terminated
        }
    }

    [Fact]
    public void WithActorFeed_must_raise_the_shutdown_phase_timeout_to_the_feed_s_graceful_stop_and_never_lower_it()
    {
        static TimeSpan Phase(AkkaConfigurationBuilder b) => b.Configuration.Value.GetTimeSpan(Feed.ShutdownPhaseTimeoutKey, null);
        var slow = new AkkaConfigurationBuilder(new ServiceCollection(), "x")
            .WithActorFeed(new ActorFeedOptions { ShutdownTimeout = TimeSpan.FromSeconds(8), RevokeTokenOnStop = true });
        Assert.Equal(TimeSpan.FromSeconds(17), Phase(slow));
        var defaults = new AkkaConfigurationBuilder(new ServiceCollection(), "x").WithActorFeed(o => { });
        Assert.Equal(TimeSpan.FromSeconds(6), Phase(defaults));
        var larger = new AkkaConfigurationBuilder(new ServiceCollection(), "x")
            .AddHocon($"{Feed.ShutdownPhaseTimeoutKey} = 60s", HoconAddMode.Prepend)
            .WithActorFeed(new ActorFeedOptions());
        Assert.Equal(TimeSpan.FromSeconds(60), Phase(larger));
        // without arguments the options are read only when the system starts: the phase fits the actor system's HOCON
        var fromHocon = new AkkaConfigurationBuilder(new ServiceCollection(), "x")
            .AddHocon("actorfeed.shutdown.timeout = 9s", HoconAddMode.Prepend)
            .WithActorFeed();
        Assert.Equal(TimeSpan.FromSeconds(10), Phase(fromHocon));
    }

    [Fact]
    public async Task Options_must_bind_from_command_line_and_environment_style_configuration()
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ActorFeed:MaxItemsPerRequest"] = "40" })   // as ActorFeed__MaxItemsPerRequest=40
            .AddCommandLine(["--ActorFeed:AppKey=cli-key", "--ActorFeed:IdleTimeout=00:00:07"])
            .Build();
        var services = new ServiceCollection().AddActorFeed(config).BuildServiceProvider();
        var options = services.GetRequiredService<IOptions<ActorFeedOptions>>().Value;
        var settings = options.ToSettings();
        Assert.Equal(40, settings.MaxItemsPerRequest);
        Assert.Equal("cli-key", settings.AppKey);
        Assert.Equal(TimeSpan.FromSeconds(7), settings.IdleTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.KeepAliveInterval);            // not set: the HOCON default
    }

    [Theory]
    [InlineData("BackoffMax", "00:00:00.001", "ActorFeed:BackoffMax")]
    [InlineData("MaxItemsPerRequest", "0", "ActorFeed:MaxItemsPerRequest")]
    [InlineData("WebSocketUrl", "http://example.invalid/", "ActorFeed:WebSocketUrl")]
    [InlineData("SubscriptionGroup", "12345", "ActorFeed:SubscriptionGroup")]
    public void Invalid_options_must_fail_at_start_naming_the_option(string key, string value, string named)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ActorFeed:" + key] = value }).Build();
        var options = config.GetSection("ActorFeed").Get<ActorFeedOptions>()!;
        var e = Assert.Throws<ActorFeedSettingException>(() => new AkkaConfigurationBuilder(new ServiceCollection(), "x").WithActorFeed(options));
        Assert.Equal(named, e.Key);
        Assert.StartsWith($"Invalid ActorFeed setting '{named}'", e.Message);
    }

    [Fact]
    public async Task WithActorFeed_without_arguments_must_take_the_options_from_configuration()
    {
        await using var sim = await KiwoomSimulator.StartAsync(new SimulatorOptions { TicksPerSecondPerItem = 20, FrameInterval = TimeSpan.FromMilliseconds(20) });
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ActorFeed:RestBaseUrl"] = sim.RestBaseUrl.ToString(),
            ["ActorFeed:WebSocketUrl"] = sim.WebSocketUrl.ToString(),
            ["ActorFeed:AppKey"] = "in-memory-app-key-0123",
            ["ActorFeed:SecretKey"] = "in-memory-secret-key-0123",
            ["ActorFeed:IdleTimeout"] = "00:00:01",                   // the default (60 s) would not notice a silent server within the test
            ["ActorFeed:BackoffMin"] = "00:00:00.050",
        });
        builder.Services.AddActorFeed(builder.Configuration);
        builder.Services.AddAkka("no-arg-test", (b, _) => b.WithActorFeed());
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<IActorFeedClient>();
            await using var stream = client.Subscribe(["005930"], "0B");
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            Assert.Equal("005930", (await stream.ReadAsync(cts.Token)).Code);
            Assert.Equal("in-memory-app-key-0123", sim.Record.Read(r => r.Sessions[0].AppKey));

            sim.SilenceAllSessions();
            await sim.Record.WaitUntilAsync(r => r.ConnectionAttempts >= 2, TimeSpan.FromSeconds(10), "a reconnect after the configured idle timeout");
            var reconnected = DateTimeOffset.UtcNow;
            Tick after;
            do after = await stream.ReadAsync(cts.Token);                           // skip what was buffered before the silence
            while (after.ReceivedAt <= reconnected);
            Assert.Equal("005930", after.Code);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Theory]
    [InlineData("BackoffMax", "00:00:00.001", "(HOCON actorfeed.backoff.max)")]
    [InlineData("MaxItemsPerRequest", "0", "(HOCON actorfeed.subscription.max-items-per-request)")]
    public async Task Host_start_must_fail_naming_the_option_when_a_configured_option_is_invalid(string key, string value, string hocon)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ActorFeed:" + key] = value });
        builder.Services.AddActorFeed(builder.Configuration);
        builder.Services.AddAkka("invalid-options-test", (b, _) => b.WithActorFeed());
        using var host = builder.Build();
        var e = await Assert.ThrowsAsync<ActorFeedSettingException>(() => host.StartAsync());
        Assert.Equal($"ActorFeed:{key}", e.Key);
        Assert.StartsWith($"Invalid ActorFeed setting 'ActorFeed:{key}': ", e.Message);
        Assert.Contains(hocon, e.Message);
        Assert.False(host.Services.GetRequiredService<ActorRegistry>().TryGet<ActorFeedActor>(out _));   // the feed never started
    }

    [Fact]
    public async Task Host_start_must_fail_clearly_when_WithActorFeed_has_no_AddActorFeed()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka("no-add-test", (b, _) => b.WithActorFeed());
        using var host = builder.Build();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("call services.AddActorFeed(configuration) first", e.Message);
        Assert.False(host.Services.GetRequiredService<ActorRegistry>().TryGet<ActorFeedActor>(out _));
        try { await host.StopAsync(); } catch (OperationCanceledException) { }
    }

    [Fact]
    public async Task Host_start_must_accept_an_option_that_is_valid_only_with_the_actor_system_HOCON()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // 45 s is above the default backoff.max (30 s), but this actor system raises backoff.max to 2 minutes
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ActorFeed:BackoffMin"] = "00:00:45" });
        builder.Services.AddActorFeed(builder.Configuration);
        builder.Services.AddAkka("hocon-raises-max-test", (b, _) => b
            .AddHocon("actorfeed.backoff.max = 2m", HoconAddMode.Prepend)
            .WithActorFeed());
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            Assert.True(host.Services.GetRequiredService<ActorRegistry>().TryGet<ActorFeedActor>(out _));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Host_start_must_fail_naming_the_option_when_it_conflicts_with_the_actor_system_HOCON()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ActorFeed:BackoffMin"] = "00:00:05" });   // fine against the defaults
        builder.Services.AddActorFeed(builder.Configuration);
        builder.Services.AddAkka("hocon-conflict-test", (b, _) => b
            .AddHocon("actorfeed.backoff.max = 2s", HoconAddMode.Prepend)
            .WithActorFeed());
        using var host = builder.Build();
        var e = await Assert.ThrowsAsync<ActorFeedSettingException>(() => host.StartAsync());
        Assert.Equal("ActorFeed:BackoffMax", e.Key);
        Assert.Equal("Invalid ActorFeed setting 'ActorFeed:BackoffMax': must be at least actorfeed.backoff.min (HOCON actorfeed.backoff.max).", e.Message);
        try { await host.StopAsync(); } catch (OperationCanceledException) { }
    }

    [Fact]
    public async Task Health_must_go_from_healthy_to_degraded_to_unhealthy_and_back_through_a_fault()
    {
        var time = new ManualTime(DateTimeOffset.UtcNow);                     // the feed's clock and the check's: one clock
        var f = await HostFixture.StartAsync(time: time);
        await using (f)
        {
            var options = f.Host.Services.GetRequiredService<IOptions<ActorFeedOptions>>();
            var check = new ActorFeedHealthCheck(f.Host.Services.GetRequiredService<IRequiredActor<ActorFeedActor>>(), options, time);
            var ctx = new HealthCheckContext { Registration = new HealthCheckRegistration("actorfeed", check, null, null) };

            await f.WaitForState(FeedState.Connected);
            Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(ctx)).Status);

            f.Sim.RefuseConnectionsFor(TimeSpan.FromMinutes(1));
            f.Sim.DropAllSessions();
            await f.Sim.Record.WaitUntilAsync(r => r.RefusedConnections >= 1, TimeSpan.FromSeconds(10), "a refused reconnect");
            var degraded = await check.CheckHealthAsync(ctx);
            Assert.Equal(HealthStatus.Degraded, degraded.Status);
            time.Advance(options.Value.UnhealthyAfter - TimeSpan.FromSeconds(1));
            Assert.Equal(HealthStatus.Degraded, (await check.CheckHealthAsync(ctx)).Status);     // not before UnhealthyAfter

            time.Advance(TimeSpan.FromSeconds(2));
            var unhealthy = await check.CheckHealthAsync(ctx);
            Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
            Assert.Contains("down for", unhealthy.Description);

            f.Sim.Faults.Clear();
            await f.WaitForState(FeedState.Connected);
            Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(ctx)).Status);

            var registered = await f.Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            Assert.Equal(HealthStatus.Healthy, registered.Entries["actorfeed"].Status);
        }
    }

    [Fact]
    public async Task Health_must_be_unhealthy_at_once_on_bad_credentials()
    {
        var f = await HostFixture.StartAsync(beforeStart: sim => sim.Faults.TokenFault = TokenFault.BadCredentials8001);
        await using (f)
        {
            var failed = await f.WaitForState(FeedState.Failed);
            Assert.Equal("bad credentials", failed.Cause);
            var report = await f.Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
            Assert.Equal(HealthStatus.Unhealthy, report.Entries["actorfeed"].Status);
            Assert.Contains("bad credentials", report.Entries["actorfeed"].Description);
        }
    }

    [Theory]
    [InlineData(TickOverflow.DropOldest)]
    [InlineData(TickOverflow.DropNewest)]
    public async Task Tick_stream_must_bound_its_buffer_for_a_slow_reader_and_count_what_it_drops(TickOverflow overflow)
    {
        var f = await HostFixture.StartAsync(new SimulatorOptions { TicksPerSecondPerItem = 200, FrameInterval = TimeSpan.FromMilliseconds(10) });
        await using (f)
        {
            await f.WaitForState(FeedState.Connected);
            // One code. The witness subscribes first, so every tick the slow stream gets, the witness gets too, in the same
            // order (the same Tick instance goes to every subscriber): its position in the witness's sequence dates each tick.
            string[] one = ["005930"];
            await using var witness = f.Client.Subscribe(one, "0B", capacity: 100_000);
            await witness.Settled.WaitAsync(TimeSpan.FromSeconds(10));
            await using var stream = f.Client.Subscribe(one, "0B", capacity: 8, overflow);
            await stream.Settled.WaitAsync(TimeSpan.FromSeconds(10));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            var order = new List<Tick>();
            for (var i = 0; i < 300; i++) order.Add(await witness.ReadAsync(cts.Token));    // the slow reader sleeps meanwhile
            var buffered = new List<Tick>();
            for (var i = 0; i < 8; i++) buffered.Add(await stream.ReadAsync(cts.Token));
            Assert.True(stream.Dropped >= 100, $"dropped {stream.Dropped}");
            var positions = new List<int>();
            foreach (var t in buffered)
            {
                while (!order.Any(o => ReferenceEquals(o, t))) order.Add(await witness.ReadAsync(cts.Token));
                positions.Add(order.FindIndex(o => ReferenceEquals(o, t)));
            }
            Assert.Equal(positions.Order(), positions);                                   // in the order they were delivered
            if (overflow == TickOverflow.DropOldest)
                // kept the latest: delivered when the witness had read about 300 (a generous 150 for the two streams' lag)
                Assert.All(positions, p => Assert.True(p >= 150, $"DropOldest kept a tick at position {p}: {string.Join(",", positions)}"));
            else
            {
                // kept the first 8 it got, back to back, long before the witness's 300th
                Assert.Equal(Enumerable.Range(positions[0], 8), positions);
                Assert.True(positions[^1] < 150, $"DropNewest kept ticks at {string.Join(",", positions)}");
            }
            var later = await stream.ReadAsync(cts.Token);                       // the stream goes on after the overflow
            Assert.NotNull(later.Price);
        }
    }

    [Fact]
    public async Task Tick_stream_must_report_invalid_input_as_rejected()
    {
        var f = await HostFixture.StartAsync();
        await using (f)
        {
            await using var stream = f.Client.Subscribe(["12", "005930"], "0B");
            await stream.Settled.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Contains("3 to 6", stream.Rejected[("12", "0B")]);
            Assert.True(stream.Confirmed.ContainsKey(("005930", "0B")));
        }
    }
}
