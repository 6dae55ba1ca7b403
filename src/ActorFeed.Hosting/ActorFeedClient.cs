using Akka.Actor;
using Akka.Hosting;
using ActorFeed.Messages;

namespace ActorFeed.Hosting;

internal sealed class ActorFeedClient(ActorSystem system, IRequiredActor<ActorFeedActor> feed) : IActorFeedClient
{
    public TickStream Subscribe(IEnumerable<string> codes, string type, int capacity = 1024, TickOverflow overflow = TickOverflow.DropOldest)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return new TickStream(system, feed.ActorRef, codes.Select(c => (c, type)).ToList(), capacity, overflow);
    }

    public Task<FeedStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        feed.ActorRef.Ask<FeedStatus>(GetFeedStatus.Instance, TimeSpan.FromSeconds(5), cancellationToken);
}
