using Akka.Actor;
using Akka.Dispatch;
using Akka.TestKit.Xunit2;

namespace ActorFeed.Tests.Actors;

public sealed class CompactMailboxSpec : TestKit
{
    [Fact]
    public void Queue_must_keep_order_grow_past_its_first_capacity_and_hand_leftovers_to_dead_letters()
    {
        var q = new CompactMailbox.Queue();
        for (var i = 0; i < 10; i++) q.Enqueue(TestActor, new Envelope(i, TestActor));
        Assert.True(q.HasMessages);
        Assert.Equal(10, q.Count);
        Assert.True(q.TryDequeue(out var first));
        Assert.Equal(0, first.Message);
        var dead = new CompactMailbox.Queue();
        q.CleanUp(TestActor, dead);
        Assert.False(q.HasMessages);
        Assert.Equal(9, dead.Count);
        Assert.True(dead.TryDequeue(out var next));
        Assert.Equal(1, next.Message);
    }
}
