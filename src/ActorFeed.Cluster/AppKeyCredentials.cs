using ActorFeed.Settings;

namespace ActorFeed.Cluster;

/// <summary>
/// One Kiwoom app key of the cluster: its session runs as a cluster singleton named after <see cref="Name"/>.
/// <see cref="ToString"/> never shows the key or the secret.
/// </summary>
/// <param name="Name">A short name, unique among the keys (letters, digits, '-' and '_'): it names the singleton
/// (<c>/user/actorfeed-{Name}</c>) and decides which codes go to this key's session; the key itself never does.</param>
/// <param name="AppKey">The app key.</param>
/// <param name="SecretKey">Its secret key.</param>
/// <param name="Role">The cluster role of the nodes that may hold this key's session; null for
/// <see cref="ActorFeedClusterSettings.Role"/>. A key with a role of its own lives on the oldest node with that role,
/// which spreads keys over nodes (every singleton of one role lives on the same, oldest, node).</param>
public sealed record AppKeyCredentials(string Name, string AppKey, string SecretKey, string? Role = null)
{
    /// <summary>The name and role, with the key and the secret redacted.</summary>
    /// <returns>E.g. <c>AppKeyCredentials { Name = k1, AppKey = ***..x9, SecretKey = ***..q7, Role = actorfeed }</c>.</returns>
    public override string ToString() =>
        $"AppKeyCredentials {{ Name = {Name}, AppKey = {Redact.Secret(AppKey)}, SecretKey = {Redact.Secret(SecretKey)}, Role = {Role ?? "(default)"} }}";
}
