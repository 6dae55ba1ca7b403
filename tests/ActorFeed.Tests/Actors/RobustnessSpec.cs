using System.Net.WebSockets;
using Akka.Actor;
using Akka.Util;
using ActorFeed.Messages;
using ActorFeed.Kiwoom;
using ActorFeed.Testing.Fakes;
using Xunit.Abstractions;
using static ActorFeed.Connection.ConnectionProtocol;
using static ActorFeed.Subscriptions.SubscriptionProtocol;

namespace ActorFeed.Tests.Actors;

/// <summary>Bad input from the host never crashes an actor, no failure loses the desired set, and the internal protocol
/// is accepted only from the actors that may send it.</summary>
public sealed class RobustnessSpec(ITestOutputHelper output) : FeedSpecBase(output)
{
    [Fact]
    public void Feed_must_reject_every_malformed_Subscribe_and_Unsubscribe_and_keep_the_code_working()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var a = CreateTestProbe();
        SubscribeConfirmed(feed, t, a, "005930");

        var me = CreateTestProbe();
        (object Request, string Reason)[] malformed =
        [
            (new Subscribe(null!, "0B", me), "code is missing"),
            (new Subscribe("005930", null!, me), "type is missing"),
            (new Subscribe("005930", "ZZ", me), "unknown type 'ZZ'"),
            (new Unsubscribe(null!, "0B", me), "code is missing"),
            (new Unsubscribe("005930", null!, me), "type is missing"),
            (new Unsubscribe("005930", "ZZ", me), "unknown type 'ZZ'"),
            (new Unsubscribe("12", "0B", me), "3 to 6"),
        ];
        foreach (var (request, reason) in malformed)
        {
            feed.Tell(request, me);
            Assert.Contains(reason, me.ExpectMsg<SubscriptionRejected>().Reason);
        }
        // no subscriber and no sender: nobody to answer, so the rejection goes to the EventStream
        feed.Tell(new Subscribe("005930", "0B"), ActorRefs.NoSender);
        Assert.Contains("no subscriber", ((SubscriptionRejected)Events.FishForMessage(m => m is SubscriptionRejected)).Reason);
        feed.Tell(new Unsubscribe("005930", "0B"), ActorRefs.NoSender);
        Assert.Contains("no subscriber", ((SubscriptionRejected)Events.FishForMessage(m => m is SubscriptionRejected)).Reason);
        // a sender and a subscriber that is no actor of an actor system (it could not be death-watched): both told
        var foreign = new ForeignRef();
        feed.Tell(new Subscribe("005930", "0B", foreign), me);
        Assert.Contains("not an actor of an actor system", me.ExpectMsg<SubscriptionRejected>().Reason);
        Assert.IsType<SubscriptionRejected>(Assert.Single(foreign.Told));

        // none of it reached the server: the next frame is the REG of the next valid subscription
        var b = CreateTestProbe();
        feed.Tell(new Subscribe("000660", "0B", b));
        var next = Wire.FishForMessage<SentFrame>(f => f.Transport == t && !f.Text.Contains("PING"));
        Assert.Contains("\"trnm\":\"REG\"", next.Text);
        Assert.Equal(["000660"], Items(next.Text));
        t.Push(RegOk);
        b.ExpectMsg(new SubscriptionConfirmed("000660", "0B"));

        // the code still works, for its subscriber and for a new one
        t.Push(Real("005930"));
        a.ExpectMsg<Tick>(x => x.Code == "005930");
        var c = CreateTestProbe();
        feed.Tell(new Subscribe("005930", "0B", c));
        c.ExpectMsg(new SubscriptionConfirmed("005930", "0B"));             // at once: the pair is still confirmed
        t.Push(Real("005930"));
        c.ExpectMsg<Tick>();
        a.ExpectMsg<Tick>();
        feed.Tell(GetFeedStatus.Instance);
        var status = ExpectMsg<FeedStatus>();
        Assert.Equal(2, status.DesiredSubscriptions);
        Assert.Equal(2, status.ConfirmedSubscriptions);
        Assert.Equal(FeedState.Connected, status.State);
    }

    [Fact]
    public void Feed_must_keep_its_desired_set_when_one_of_its_handlers_throws_and_replay_it_after_a_reconnect()
    {
        var feed = StartFeed();
        var (t1, _) = AcceptConnection();
        var me = CreateTestProbe();
        SubscribeConfirmed(feed, t1, me, "005930");
        SubscribeConfirmed(feed, t1, me, "000660");
        Watch(feed);

        // a host hands in its own IActorRef whose Tell throws: telling it the rejection throws inside the feed
        EventFilter.Error(contains: "Feed failed handling Subscribe").ExpectOne(() =>
            feed.Tell(new Subscribe("bad!", "0B", new ForeignRef(throws: true)), me));

        ExpectNoMsg(Quiet);                                                 // not terminated, not restarted
        feed.Tell(GetFeedStatus.Instance);
        Assert.Equal(2, ExpectMsg<FeedStatus>().DesiredSubscriptions);
        t1.ServerClose(WebSocketCloseStatus.EndpointUnavailable);
        Scheduler.Advance(ExpectDecision(FeedComponent.Connection).Delay);
        var (t2, _) = AcceptConnection();
        Assert.Equal(["000660", "005930"], Items(ExpectSent(t2, "REG")).Order());   // every pair replayed
        t2.Push(RegOk);
        t2.Push(Real("000660"));
        Assert.Equal("000660", me.ExpectMsg<SubscriptionGap>().Code);   // the pair was interrupted: its gap comes first
        Assert.Equal("000660", me.ExpectMsg<Tick>().Code);
    }

    [Fact]
    public void Subscription_actor_must_be_resumed_with_its_subscribers_when_it_fails()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var a = CreateTestProbe();
        SubscribeConfirmed(feed, t, a, "005930");
        var actor = a.LastSender;                                           // the SubscriptionActor of 005930 told it
        Assert.StartsWith("sub-005930", actor.Path.Name);

        // an internal message it cannot handle (a bug's stand-in): it throws; its parent resumes it and logs an error
        EventFilter.Error(contains: "resumed with its state").ExpectOne(() => actor.Tell(new TypeConfirmed(null!)));
        // a Subscribe sent to it directly, past the feed's validation, is ignored
        var direct = CreateTestProbe();
        EventFilter.Warning(contains: "directly: ignored").ExpectOne(() => actor.Tell(new Subscribe("005930", "0B", direct)));

        t.Push(Real("005930"));
        a.ExpectMsg<Tick>();                                                // its subscriber kept
        direct.ExpectNoMsg(Quiet);
        var b = CreateTestProbe();
        feed.Tell(new Subscribe("005930", "0B", b));
        b.ExpectMsg(new SubscriptionConfirmed("005930", "0B"));             // its confirmed types kept
        feed.Tell(new Unsubscribe("005930", "0B", a));
        a.ExpectMsg<SubscriptionRemoved>();
        t.Push(Real("005930"));
        b.ExpectMsg<Tick>();
        Assert.Empty(Wire.ReceiveWhile(Quiet, m => m is SentFrame f && f.Text.Contains("REMOVE") ? f : null));   // b still wants it
    }

    [Fact]
    public void Feed_must_ignore_its_internal_protocol_from_strangers()
    {
        var feed = StartFeed();
        var (t, _) = AcceptConnection();
        var a = CreateTestProbe();
        SubscribeConfirmed(feed, t, a, "005930");
        var stranger = CreateTestProbe();
        var pair = new RegistrationItem("005930", "0B");
        var other = new RegistrationItem("000660", "0B");
        object[] forged =
        [
            new SupervisionDecision(FeedComponent.Connection, "forged", FailureKind.Permanent, 1, TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow, "forged"),
            new TypeWanted("000660", "0B"),
            new TypeUnwanted("005930", "0B"),
            new Idle("005930", 1),
            new ItemsConfirmed([other]),
            new ItemRejected(pair, "forged"),
            new ConnectionPhase(FeedState.Connecting),
            new ConnectionUp(DateTimeOffset.UtcNow),
        ];
        EventFilter.Debug(contains: "not from the actor that may send it").Expect(forged.Length, () =>
        {
            foreach (var m in forged) feed.Tell(m, stranger);
        });

        feed.Tell(GetFeedStatus.Instance);
        var status = ExpectMsg<FeedStatus>();
        Assert.Equal(FeedState.Connected, status.State);
        Assert.Null(status.Cause);
        Assert.Equal(1, status.DesiredSubscriptions);
        Assert.Equal(1, status.ConfirmedSubscriptions);
        a.ExpectNoMsg(Quiet);                                               // not rejected
        t.Push(Real("005930"));
        a.ExpectMsg<Tick>();                                                // its actor was not stopped
        stranger.ExpectNoMsg(Quiet);                                        // the forged ConnectionUp got no replay
        var b = CreateTestProbe();
        feed.Tell(new Subscribe("035420", "0B", b));
        var next = Wire.FishForMessage<SentFrame>(f => f.Transport == t && !f.Text.Contains("PING"));
        Assert.Equal(["035420"], Items(next.Text));                         // no REG for the forged TypeWanted, no REMOVE
    }

    /// <summary>An <see cref="IActorRef"/> of the host's own making (not an actor of any system): records what it is
    /// told, or throws.</summary>
    private sealed class ForeignRef(bool throws = false) : IActorRef
    {
        public List<object> Told { get; } = [];
        public ActorPath Path { get; } = new RootActorPath(Address.AllSystems) / "foreign";
        public void Tell(object message, IActorRef sender)
        {
            if (throws) throw new InvalidOperationException("this ref throws on Tell");
            Told.Add(message);
        }
        public bool Equals(IActorRef? other) => ReferenceEquals(this, other);
        public override bool Equals(object? obj) => ReferenceEquals(this, obj);
        public override int GetHashCode() => Path.GetHashCode();
        public int CompareTo(IActorRef? other) => Path.CompareTo(other?.Path);
        public int CompareTo(object? obj) => CompareTo(obj as IActorRef);
        public ISurrogate ToSurrogate(ActorSystem system) => throw new NotSupportedException();
        public override string ToString() => "foreign-ref";
    }
}
