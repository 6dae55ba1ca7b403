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

    public sealed class Stopped
    {
        public static readonly Stopped Instance = new();
        private Stopped() { }
    }
}
