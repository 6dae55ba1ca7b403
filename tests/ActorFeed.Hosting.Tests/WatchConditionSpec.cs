using Akka.Actor;
using ActorFeed.Messages;
using ActorFeed.Simulator;

namespace ActorFeed.Hosting.Tests;

/// <summary>
/// <see cref="IActorFeedClient.WatchCondition"/> end to end: a Generic Host with the feed against the simulator, membership
/// changed live and during an outage, applied the way the README shows; and the README's condition examples, compiled.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class WatchConditionSpec
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task WatchCondition_must_end_with_the_servers_membership_across_live_changes_and_an_outage_and_clear_it_when_disposed()
    {
        var f = await HostFixture.StartAsync(new SimulatorOptions
        {
            TicksPerSecondPerItem = 20, FrameInterval = TimeSpan.FromMilliseconds(20), ConditionChangesPerMinute = 0,
        });
        await using (f)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(45));
            var condition = f.Client.WatchCondition(1);
            var members = new HashSet<string>();
            var recovered = new List<bool>();

            // applies events the way the README's loop does, until `count` came
            async Task Apply(int count)
            {
                await foreach (var e in condition.WithCancellation(cts.Token))
                {
                    switch (e)
                    {
                        case ConditionSnapshot s: members = [.. s.Codes]; break;
                        case ConditionEntered x: members.Add(x.Code); recovered.Add(x.Recovered); break;
                        case ConditionLeft x: members.Remove(x.Code); recovered.Add(x.Recovered); break;
                    }
                    if (--count == 0) return;
                }
            }

            await Apply(1);
            Assert.Equal(f.Sim.Record.ConditionMembers("1"), members.Order(StringComparer.Ordinal));

            var live = f.Sim.ChangeCondition("1", enter: 2, leave: 1);
            await Apply(live.Count);
            Assert.Equal([false, false, false], recovered);

            f.Sim.Faults.RefuseConnectionsUntil = DateTimeOffset.MaxValue;       // down until the changes are made
            Assert.Equal(1, f.Sim.DropAllSessions());
            await f.Sim.Record.WaitUntilAsync(r => r.Sessions.All(s => s.ClosedAt is not null), Wait, "the session closed");
            var down = f.Sim.ChangeCondition("1", enter: 1, leave: 2);
            f.Sim.Faults.RefuseConnectionsUntil = DateTimeOffset.MinValue;
            await Apply(down.Count);
            Assert.Equal([false, false, false, true, true, true], recovered);
            Assert.Equal(f.Sim.Record.ConditionMembers("1"), members.Order(StringComparer.Ordinal));

            await f.Sim.Record.WaitUntilAsync(r => Last(r).ActiveConditions.Contains("1"), Wait, "condition 1 active again");
            await condition.DisposeAsync();                                       // the last subscriber: CNSRCLR
            await f.Sim.Record.WaitUntilAsync(r => Last(r).ConditionRequests.Any(q => q is { Trnm: "CNSRCLR", Seq: "1", ReturnCode: 0 })
                && Last(r).ActiveConditions.Count == 0, Wait, "condition 1 cleared");
            Assert.Null(condition.EndReason);
            Assert.Equal(FeedState.Connected, (await f.Client.GetStatusAsync(cts.Token)).State);
        }
    }

    [Fact]
    public async Task IActorFeedClient_must_answer_the_subscription_stats_and_the_condition_status()
    {
        var f = await HostFixture.StartAsync(new SimulatorOptions { ConditionChangesPerMinute = 0 });
        await using (f)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await using var ticks = f.Client.Subscribe(["005930"], "0B");
            await using var condition = f.Client.WatchCondition(1);
            await using (var events = condition.GetAsyncEnumerator(cts.Token))
            {
                Assert.True(await events.MoveNextAsync());
                Assert.IsType<ConditionSnapshot>(events.Current);
            }
            var members = f.Sim.Record.ConditionMembers("1")!;
            var status = await f.Client.GetConditionStatusAsync(maxMembers: 1, cts.Token);
            var followed = Assert.Single(status.Conditions);
            Assert.Equal((1, FollowedConditionState.Live, members.Count, (string?)null), (followed.Seq, followed.State, followed.MemberCount, followed.LastError));
            Assert.Equal(Math.Min(1, members.Count), followed.Members.Count);
            await using (var tickEvents = ticks.GetAsyncEnumerator(cts.Token))
                Assert.True(await tickEvents.MoveNextAsync());                // a tick came: counted on the tick path before delivery
            var stats = await f.Client.GetSubscriptionStatsAsync(cts.Token);
            Assert.Equal(FeedState.Connected, stats.Status.State);
            Assert.True(Assert.Single(stats.Subscriptions, s => s is { Code: "005930", Type: "0B" }).Ticks >= 1);
        }
    }

    [Fact]
    public async Task WatchCondition_must_end_with_the_reason_for_a_seq_the_server_does_not_list()

    {
        var f = await HostFixture.StartAsync();
        await using (f)
        {
            await using var condition = f.Client.WatchCondition(42);
            using var cts = new CancellationTokenSource(Wait);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            {
                await foreach (var _ in condition.WithCancellation(cts.Token)) { }
            });
            Assert.Contains("condition 42 is not in the server's list", error.Message);
            Assert.EndsWith(": " + condition.EndReason, error.Message);
        }
    }

    private static SessionRecord Last(SimulatorRecord r) => r.Sessions.Last(s => s.LoggedInAt is not null);

    /// <summary>The README's "Condition search" examples as written there (compiled, not run): if one stops compiling, so
    /// does this.</summary>
    internal static async Task ReadmeExamples(IActorRef feed, IActorRef me, IActorFeedClient client)
    {
        feed.Tell(new ListConditions());                    // -> ConditionList([ConditionInfo(0, "급등"), ConditionInfo(1, "거래량"), ...])
        feed.Tell(new SearchCondition(1));                  // -> ConditionSearchResult(1, "거래량", codes): every page followed
        feed.Tell(new SubscribeCondition(1, me));           // -> ConditionSnapshot(1, "거래량", codes), then ConditionEntered / ConditionLeft
        feed.Tell(new SubscribeCondition(1, me, TickTypes: ["0B"]));   // the same, and 0B ticks of every member while it is one
        feed.Tell(new UnsubscribeCondition(1, me));         // -> ConditionUnsubscribed(1)
        feed.Tell(new GetConditionStatus());                // -> ConditionStatus: every followed condition (read-only, nothing sent)

        await using var condition = client.WatchCondition(1);
        var members = new HashSet<string>();
        await foreach (var e in condition)
            switch (e)
            {
                case ConditionSnapshot s: members = [.. s.Codes]; break;
                case ConditionEntered x: members.Add(x.Code); break;
                case ConditionLeft x: members.Remove(x.Code); break;
            }
    }
}
