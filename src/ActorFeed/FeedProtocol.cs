namespace ActorFeed;

/// <summary>Messages to the FeedSupervisor that are not part of the subscriber-facing API.</summary>
internal static class FeedProtocol
{
    /// <summary>Graceful stop: REMOVE everything, close the socket with 1000, revoke the token, stop.
    /// Answered with <see cref="Stopped"/>. Run by CoordinatedShutdown.</summary>
    public sealed class Stop
    {
        public static readonly Stop Instance = new();
        private Stop() { }
    }

    /// <summary>The answer to <see cref="Stop"/>; a <c>GracefulStop</c> asker may be gone already, so it is no dead letter worth a log line.</summary>
    public sealed class Stopped : Akka.Event.IDeadLetterSuppression
    {
        public static readonly Stopped Instance = new();
        private Stopped() { }
    }
}
