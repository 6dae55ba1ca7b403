using Akka.Actor;
using Akka.TestKit;
using ActorFeed.Testing;
using Xunit.Abstractions;

namespace ActorFeed.Tests.Supervision;

/// <summary>The restart supervisor alone, with a toy child, under virtual time.</summary>
public sealed class RestartSupervisorSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly BackoffPolicy Policy = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), 0, TimeSpan.FromMinutes(5));
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);
    private readonly TestProbe _lives;
    private readonly TestProbe _events;

    public RestartSupervisorSpec(ITestOutputHelper output)
        : base(TestKitConfig.With("""akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit" """), "restart-spec", output)
    {
        _lives = CreateTestProbe("lives");
        _events = CreateTestProbe("events").WatchFeedEvents(Sys);
    }

    private TestScheduler Scheduler => (TestScheduler)Sys.Scheduler;

    private IActorRef Start(bool buffer) =>
        ActorOf(RestartSupervisor.Props(FeedComponent.Connection, Props.Create(() => new Toy(_lives)), Policy, buffer, "SECRET-VALUE-1234"));

    /// <summary>Tells its probe when it starts; throws what it is told to; echoes anything else; sends BackoffReset on "healthy".</summary>
    private sealed class Toy : ReceiveActor
    {
        public Toy(IActorRef lives)
        {
            Receive<Exception>(e => throw e);
            Receive<string>(s => s == "healthy", _ => Context.Parent.Tell(BackoffReset.Instance));
            Receive<string>(s => s == "stop", _ => Context.Stop(Self));
            ReceiveAny(m => Sender.Tell(m));
            lives.Tell("started");
        }
    }

    private void Fail(IActorRef supervisor, string cause, FailureKind kind = FailureKind.Transient) =>
        supervisor.Tell(new FeedFailureException(cause, kind, "detail with SECRET-VALUE-1234"));

    [Fact]
    public void Supervisor_must_restart_a_failed_child_only_after_the_backoff_and_double_it_each_time()
    {
        var s = Start(buffer: false);
        _lives.ExpectMsg("started");
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            Fail(s, "boom");
            var d = _events.ExpectDecision(FeedComponent.Connection, TimeSpan.FromSeconds(3));
            Assert.Equal(attempt, d.Attempt);
            Assert.Equal("boom", d.Cause);
            var expected = TimeSpan.FromSeconds(Math.Min(4, Math.Pow(2, attempt - 1)));
            Assert.Equal(expected, d.Delay);
            Assert.DoesNotContain("SECRET-VALUE-1234", d.Detail);
            Scheduler.Advance(expected - TimeSpan.FromMilliseconds(1));
            _lives.ExpectNoMsg(Quiet);                                       // not a moment early
            Scheduler.Advance(TimeSpan.FromMilliseconds(1));
            _lives.ExpectMsg("started");
        }
    }

    [Fact]
    public void Supervisor_must_wait_the_permanent_delay_after_a_permanent_failure()
    {
        var s = Start(buffer: false);
        _lives.ExpectMsg("started");
        EventFilter.Error(contains: "Supervision: connection failed (bad)").ExpectOne(() => Fail(s, "bad", FailureKind.Permanent));
        var d = _events.ExpectDecision(FeedComponent.Connection, TimeSpan.FromSeconds(3));
        Assert.Equal(FailureKind.Permanent, d.Kind);
        Assert.Equal(Policy.PermanentDelay, d.Delay);
        Scheduler.Advance(Policy.PermanentDelay - TimeSpan.FromMilliseconds(1));
        _lives.ExpectNoMsg(Quiet);
        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        _lives.ExpectMsg("started");
    }

    [Fact]
    public void Supervisor_must_reset_the_backoff_only_when_the_child_says_it_is_healthy()
    {
        var s = Start(buffer: false);
        _lives.ExpectMsg("started");
        Fail(s, "boom");
        Scheduler.Advance(_events.ExpectDecision(FeedComponent.Connection, TimeSpan.FromSeconds(3)).Delay);
        _lives.ExpectMsg("started");
        Fail(s, "boom");
        Assert.Equal(2, _events.ExpectDecision(FeedComponent.Connection, TimeSpan.FromSeconds(3)).Attempt);
        Scheduler.Advance(TimeSpan.FromSeconds(2));
        _lives.ExpectMsg("started");
        EventFilter.Info(contains: "healthy again after 2 restart(s)").ExpectOne(() => s.Tell("healthy"));
        Fail(s, "boom");
        var after = _events.ExpectDecision(FeedComponent.Connection, TimeSpan.FromSeconds(3));
        Assert.Equal(1, after.Attempt);
        Assert.Equal(Policy.Min, after.Delay);
    }

    [Fact]
    public void Supervisor_must_forward_to_the_child_and_buffer_or_drop_while_it_is_down()
    {
        var buffering = Start(buffer: true);
        _lives.ExpectMsg("started");
        buffering.Tell("hello");
        ExpectMsg("hello");
        Fail(buffering, "boom");
        _events.ExpectDecision(FeedComponent.Connection, TimeSpan.FromSeconds(3));
        buffering.Tell("while down");
        ExpectNoMsg(Quiet);
        Scheduler.Advance(Policy.Min);
        _lives.ExpectMsg("started");
        ExpectMsg("while down");                                             // delivered to the new child

        var dropping = Start(buffer: false);
        _lives.ExpectMsg("started");
        Fail(dropping, "boom");
        _events.ExpectDecision(FeedComponent.Connection, TimeSpan.FromSeconds(3));
        dropping.Tell("while down");
        Scheduler.Advance(Policy.Min);
        _lives.ExpectMsg("started");
        ExpectNoMsg(Quiet);
    }

    [Fact]
    public void Supervisor_must_stop_when_its_child_stops_by_itself()
    {
        var s = Start(buffer: false);
        _lives.ExpectMsg("started");
        Watch(s);
        s.Tell("stop");
        ExpectTerminated(s);
        _events.ExpectNoDecision(FeedComponent.Connection, Quiet);
    }

    [Fact]
    public void Supervisor_must_cancel_a_pending_restart_and_stop_after_StopRestarting()
    {
        var s = Start(buffer: true);
        _lives.ExpectMsg("started");
        Watch(s);
        Fail(s, "boom");
        var d = _events.ExpectDecision(FeedComponent.Connection, TimeSpan.FromSeconds(3));
        s.Tell(StopRestarting.Instance);
        ExpectTerminated(s);                                                 // the child is down already: it stops at once
        Scheduler.Advance(d.Delay * 4);
        _lives.ExpectNoMsg(Quiet);                                           // the restart that was due never happens
    }

    [Fact]
    public void Supervisor_must_not_restart_a_child_that_fails_after_StopRestarting()
    {
        var s = Start(buffer: false);
        _lives.ExpectMsg("started");
        Watch(s);
        s.Tell(StopRestarting.Instance);
        s.Tell("still here");
        ExpectMsg("still here");                                             // the child keeps working until it is gone
        EventFilter.Info(contains: "failed while stopping (boom); not restarted").ExpectOne(() => Fail(s, "boom"));
        ExpectTerminated(s);
        _events.ExpectNoDecision(FeedComponent.Connection, Quiet);
        Scheduler.Advance(Policy.Max * 4);
        _lives.ExpectNoMsg(Quiet);
    }
}
