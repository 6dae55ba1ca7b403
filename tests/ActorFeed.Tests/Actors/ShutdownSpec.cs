using System.Net.WebSockets;
using Akka.Actor;
using ActorFeed.Messages;
using ActorFeed.Testing.Fakes;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Actors;

/// <summary>Graceful stop: the token is revoked only when asked to, no link is opened once the stop has begun, and the
/// feed says so when CoordinatedShutdown would not give it the time its stop may take.</summary>
public sealed class ShutdownSpec(ITestOutputHelper output) : FeedSpecBase(output)
{
    [Fact]
    public async Task Shutdown_must_leave_the_token_alone_unless_revoke_on_stop_is_on()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        TokenCalls.ExpectMsg<TokenIssued>();
        var me = CreateTestProbe();
        SubscribeConfirmed(feed, t, me, "005930");
        Task<FeedProtocol.Stopped> stopping = null!;
        EventFilter.Info(contains: "the token is left to expire: revoke-on-stop is off").ExpectOne(() =>
        {
            stopping = feed.Ask<FeedProtocol.Stopped>(FeedProtocol.Stop.Instance, TimeSpan.FromSeconds(10));
        });
        Assert.Equal(["005930"], Items(ExpectSent(t, "REMOVE")));
        t.Push(RemoveOk);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, Wire.FishForMessage<ClosedByClient>(_ => true).Status);
        await stopping;
        ExpectState(FeedState.Stopped);
        TokenCalls.ExpectNoMsg(Quiet);                                      // no revoke: other processes on the key keep their token
    }

    [Fact]
    public async Task Shutdown_must_close_at_once_and_not_reconnect_when_a_REMOVE_times_out_while_closing()
    {
        Settings = Settings with { RequestTimeout = TimeSpan.FromSeconds(2), ShutdownTimeout = TimeSpan.FromSeconds(5) };
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        SubscribeConfirmed(feed, t, me, "005930");

        var stopping = feed.Ask<FeedProtocol.Stopped>(FeedProtocol.Stop.Instance, TimeSpan.FromSeconds(10));
        ExpectSent(t, "REMOVE");                                            // never answered; its timer runs from before it was sent
        AdvanceExpectingNothingBefore(Settings.RequestTimeout, Wire);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, Wire.FishForMessage<ClosedByClient>(_ => true).Status);   // closed with 1000 at once
        await stopping;
        ExpectState(FeedState.Stopped);
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);          // the timeout did not fail the link
        Scheduler.Advance(Settings.BackoffMax * 4);
        Wire.ExpectNoMsg(Quiet);                                            // and no new transport, ever
    }

    [Fact]
    public async Task Shutdown_must_not_open_a_new_link_when_the_connection_fails_while_closing()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var me = CreateTestProbe();
        SubscribeConfirmed(feed, t, me, "005930");

        var stopping = feed.Ask<FeedProtocol.Stopped>(FeedProtocol.Stop.Instance, TimeSpan.FromSeconds(10));
        ExpectSent(t, "REMOVE");
        // another process logs in with the app key while we close: the connection fails (its supervisor was told not
        // to restart it any more: RestartSupervisorSpec)
        EventFilter.Warning(contains: "The connection stopped before it had closed gracefully").ExpectOne(() =>
            t.Push("""{"trnm":"SYSTEM","code":"R10001","message":"동일한 App key로 접속이 되었습니다"}"""));
        await stopping;                                                     // the stop went on as soon as the connection died
        ExpectState(FeedState.Stopped);
        Events.ExpectNoDecision(FeedComponent.Connection, Quiet);
        Scheduler.Advance(Settings.PermanentFailureBackoff * 2);
        Wire.ExpectNoMsg(Quiet);                                            // no new transport
    }

    [Fact]
    public void Feed_must_warn_at_start_when_the_shutdown_phase_is_shorter_than_its_graceful_stop()
    {
        var deps = new FeedDependencies(Tokens, Server, Time);
        // the defaults fit Akka's default phase timeout (5 s): close within 5 s, no revoke
        EventFilter.Warning(contains: "CoordinatedShutdown phase").Expect(0, () => Feed.Start(Sys, Settings, deps, "fits"));
        Assert.Equal(TimeSpan.FromSeconds(5), Feed.ShutdownBudget(Settings));
        var slow = Settings with { ShutdownTimeout = TimeSpan.FromSeconds(8), RevokeTokenOnStop = true };
        Assert.Equal(TimeSpan.FromSeconds(16), Feed.ShutdownBudget(slow));
        EventFilter.Warning(contains: "Set akka.coordinated-shutdown.phases.before-service-unbind.timeout = 17s or more").ExpectOne(() =>
            Feed.Start(Sys, slow, deps, "slow"));
    }
}
