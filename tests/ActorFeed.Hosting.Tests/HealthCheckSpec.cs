using Akka.Actor;
using Akka.Hosting;
using ActorFeed.Messages;
using ActorFeed.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ActorFeed.Hosting.Tests;

/// <summary>
/// The health check's transitions on a feed that answers a given <see cref="FeedStatus"/> (each boundary checked
/// on both sides with a manual clock), and a flapping link through a real simulator fault.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class HealthCheckSpec : IAsyncLifetime
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));
    private readonly ActorFeedOptions _options = new();          // UnhealthyAfter 2 min, UnconfirmedAfter 1 min
    private ActorSystem _system = null!;
    private IActorRef _feed = null!;
    private FeedStatus _status = null!;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("health-spec");
        _feed = _system.ActorOf(Props.Create(() => new StatusActor(() => _status)));
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => _system.Terminate();

    private FeedStatus Connected(int desired = 3, int confirmed = 3) =>
        new(FeedState.Connected, null, 0, null, _time.GetUtcNow(), desired, confirmed, false);

    private async Task<HealthCheckResult> Check(FeedStatus status)
    {
        _status = status;
        var check = new ActorFeedHealthCheck(new Required(_feed), Options.Create(_options), _time);
        return await check.CheckHealthAsync(new HealthCheckContext());
    }

    [Fact]
    public async Task Health_must_be_healthy_when_connected_with_everything_confirmed_and_a_steady_link()
    {
        var result = await Check(Connected() with { RecentDrops = 2 });     // two drops, below the flapping threshold
        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(2, result.Data["recentDrops"]);
    }

    [Fact]
    public async Task Health_must_degrade_a_flapping_link_even_while_connected_and_turn_unhealthy_after_UnhealthyAfter()
    {
        var since = _time.GetUtcNow();
        var flapping = Connected() with { RecentDrops = 4, FlappingSince = since };
        var degraded = await Check(flapping);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal("flapping: 4 link drops recently", degraded.Description);
        Assert.Equal(since, degraded.Data["flappingSince"]);
        _time.Advance(_options.UnhealthyAfter - Second);
        Assert.Equal(HealthStatus.Degraded, (await Check(flapping)).Status);                       // not before UnhealthyAfter
        var reconnecting = flapping with { State = FeedState.Reconnecting, Cause = "server closed the connection", DownSince = _time.GetUtcNow() };
        Assert.Equal(HealthStatus.Degraded, (await Check(reconnecting)).Status);                   // and between two logins
        _time.Advance(Second);
        var unhealthy = await Check(flapping);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.StartsWith("flapping for 0:02:00: 4 link drops recently", unhealthy.Description);
        Assert.Equal(HealthStatus.Unhealthy, (await Check(reconnecting)).Status);                  // however short each outage
        Assert.Equal(HealthStatus.Healthy, (await Check(flapping with { FlappingSince = null })).Status);   // it stopped flapping
    }

    [Fact]
    public async Task Health_must_degrade_with_the_counts_once_subscriptions_stay_unconfirmed_for_UnconfirmedAfter()
    {
        var unconfirmed = Connected(desired: 3, confirmed: 1) with { UnconfirmedSince = _time.GetUtcNow() };
        Assert.Equal(HealthStatus.Healthy, (await Check(unconfirmed)).Status);                     // a REG in flight is normal
        _time.Advance(_options.UnconfirmedAfter - Second);
        Assert.Equal(HealthStatus.Healthy, (await Check(unconfirmed)).Status);
        _time.Advance(Second);
        var degraded = await Check(unconfirmed);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal("1 of 3 subscriptions confirmed, for 0:01:00", degraded.Description);
        Assert.Equal(1, degraded.Data["confirmed"]);
        Assert.Equal(3, degraded.Data["desired"]);
        Assert.Equal(HealthStatus.Healthy, (await Check(Connected(desired: 3, confirmed: 3))).Status);
    }

    [Fact]
    public async Task Health_must_degrade_with_the_list_of_stale_codes_while_connected()
    {
        var codes = Enumerable.Range(1, 12).Select(i => i.ToString("D6")).ToList();
        var degraded = await Check(Connected() with { StaleCodes = codes });
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal("12 stale code(s): 000001, 000002, 000003, 000004, 000005, 000006, 000007, 000008, 000009, 000010 and 2 more", degraded.Description);
        Assert.Equal(codes, degraded.Data["staleCodes"]);
        var healthy = await Check(Connected());
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.False(healthy.Data.ContainsKey("staleCodes"));
    }

    [Fact]
    public async Task Health_must_turn_unhealthy_when_down_longer_than_UnhealthyAfter_or_on_a_permanent_failure()
    {
        var down = new FeedStatus(FeedState.Reconnecting, "keepalive timeout", 3, null, null, 1, 0, false, _time.GetUtcNow());
        Assert.Equal(HealthStatus.Degraded, (await Check(down)).Status);
        _time.Advance(_options.UnhealthyAfter - Second);
        Assert.Equal(HealthStatus.Degraded, (await Check(down)).Status);
        _time.Advance(Second);
        Assert.StartsWith("down for 0:02:00: keepalive timeout", (await Check(down)).Description);
        var failed = down with { State = FeedState.Failed, Cause = "bad credentials", IsPermanentFailure = true, DownSince = _time.GetUtcNow() };
        Assert.Equal("permanent failure: bad credentials", (await Check(failed)).Description);
    }

    [Fact]
    public async Task Health_must_see_a_link_that_drops_after_every_login_as_flapping_through_a_real_fault()
    {
        var time = new ManualTime(DateTimeOffset.UtcNow);                       // the feed's clock and the check's
        var f = await HostFixture.StartAsync(time: time);
        await using (f)
        {
            var options = f.Host.Services.GetRequiredService<IOptions<ActorFeedOptions>>();
            var check = new ActorFeedHealthCheck(f.Host.Services.GetRequiredService<IRequiredActor<ActorFeedActor>>(), options, time);
            var ctx = new HealthCheckContext();
            await f.WaitForState(FeedState.Connected);
            Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(ctx)).Status);
            for (var drop = 1; drop <= 3; drop++)                              // actorfeed.health.flapping-drops = 3 by default
            {
                f.Sim.DropAllSessions(DropMode.InternalError);
                await f.Sim.Record.WaitUntilAsync(r => r.LoginsAccepted > drop, TimeSpan.FromSeconds(15), $"login after drop {drop}");
                await f.WaitForState(FeedState.Connected);
            }
            var flapping = await check.CheckHealthAsync(ctx);                  // connected right now, yet not healthy
            Assert.Equal(HealthStatus.Degraded, flapping.Status);
            Assert.StartsWith("flapping: 3 link drops", flapping.Description);
            Assert.Equal(FeedState.Connected.ToString(), flapping.Data["state"]);

            time.Advance(options.Value.UnhealthyAfter);
            Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(ctx)).Status);
            time.Advance(TimeSpan.FromMinutes(5) - options.Value.UnhealthyAfter);   // the drops leave the 5-minute window
            Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(ctx)).Status);
        }
    }

    private sealed class StatusActor : ReceiveActor
    {
        public StatusActor(Func<FeedStatus> status) => Receive<GetFeedStatus>(_ => Sender.Tell(status()));
    }

    private sealed class Required(IActorRef actor) : IRequiredActor<ActorFeedActor>
    {
        public IActorRef ActorRef => actor;
        public Task<IActorRef> GetAsync(CancellationToken cancellationToken = default) => Task.FromResult(actor);
    }
}
