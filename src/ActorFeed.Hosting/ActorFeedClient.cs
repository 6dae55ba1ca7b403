using Akka.Actor;
using Akka.Hosting;
using ActorFeed.Messages;

namespace ActorFeed.Hosting;

internal sealed class ActorFeedClient(ActorSystem system, IRequiredActor<ActorFeedActor> feed) : IActorFeedClient
{
    public TickStream Subscribe(IEnumerable<string> codes, string type, int capacity = 1024, TickOverflow overflow = TickOverflow.DropOldest) =>
        TickStream.Subscribe(system, feed.ActorRef, codes, type, capacity, overflow);

    public ConditionStream WatchCondition(int seq) => ConditionStream.Watch(system, feed.ActorRef, seq);

    public Task<FeedStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        feed.ActorRef.Ask<FeedStatus>(GetFeedStatus.Instance, TimeSpan.FromSeconds(5), cancellationToken);

    public Task<SubscriptionStats> GetSubscriptionStatsAsync(CancellationToken cancellationToken = default) =>
        feed.ActorRef.Ask<SubscriptionStats>(GetSubscriptionStats.Instance, TimeSpan.FromSeconds(5), cancellationToken);

    public Task<ConditionStatus> GetConditionStatusAsync(int maxMembers = 20, CancellationToken cancellationToken = default) =>
        feed.ActorRef.Ask<ConditionStatus>(new GetConditionStatus(maxMembers), TimeSpan.FromSeconds(5), cancellationToken);

}
