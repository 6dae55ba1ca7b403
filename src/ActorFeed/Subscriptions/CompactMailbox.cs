using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;

namespace ActorFeed.Subscriptions;

/// <summary>
/// The mailbox of the SubscriptionActors: a plain queue under a lock, starting with room for 4 messages. Akka's
/// default unbounded mailbox starts with a lock-free segment of 32 slots (about 0.8 KB); a subscription actor sees
/// a few control messages in its life (ticks bypass it), and there is one per subscribed code, so that segment
/// was a fifth of the memory per code. Registered by <see cref="Feed.Start"/> at <see cref="ConfigPath"/>.
/// </summary>
internal sealed class CompactMailbox : MailboxType, IProducesMessageQueue<CompactMailbox.Queue>
{
    public const string ConfigPath = "actorfeed.subscription-mailbox";

    internal static readonly Config Registration = ConfigurationFactory.ParseString(
        $"{ConfigPath} {{ mailbox-type = \"{typeof(CompactMailbox).FullName}, {typeof(CompactMailbox).Assembly.GetName().Name}\" }}");

    public CompactMailbox(Akka.Actor.Settings settings, Config config) : base(settings, config) { }

    public override IMessageQueue Create(IActorRef owner, ActorSystem system) => new Queue();

    public sealed class Queue : IMessageQueue, IUnboundedMessageQueueSemantics
    {
        private readonly Queue<Envelope> _queue = new(4);

        public bool HasMessages { get { lock (_queue) return _queue.Count > 0; } }
        public int Count { get { lock (_queue) return _queue.Count; } }

        public void Enqueue(IActorRef receiver, Envelope envelope)
        {
            lock (_queue) _queue.Enqueue(envelope);
        }

        public bool TryDequeue(out Envelope envelope)
        {
            lock (_queue) return _queue.TryDequeue(out envelope);
        }

        public void CleanUp(IActorRef owner, IMessageQueue deadletters)
        {
            while (TryDequeue(out var envelope)) deadletters.Enqueue(owner, envelope);
        }
    }
}
