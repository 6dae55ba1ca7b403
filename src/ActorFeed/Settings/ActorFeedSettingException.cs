namespace ActorFeed.Settings;

/// <summary>An invalid setting; <see cref="Key"/> names it (HOCON key, or option name with ActorFeed.Hosting).</summary>
public sealed class ActorFeedSettingException(string key, string problem, Exception? inner = null)
    : ArgumentException($"Invalid ActorFeed setting '{key}': {problem}.", key, inner)
{
    public string Key { get; } = key;
    public string Problem { get; } = problem;
    public override string Message => $"Invalid ActorFeed setting '{Key}': {Problem}.";
}
