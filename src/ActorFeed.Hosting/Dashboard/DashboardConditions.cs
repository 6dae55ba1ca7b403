namespace ActorFeed.Hosting.Dashboard;

/// <summary>
/// Where the dashboard's conditions panel reads from. Condition search is built apart from the dashboard: until it is
/// wired in, <see cref="NoConditions"/> answers an empty list (the page says "no condition searches").
/// </summary>
internal interface IDashboardConditions
{
    /// <summary>The condition searches the feed holds now.</summary>
    Task<IReadOnlyList<DashboardCondition>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>The seam's answer before condition search exists: none.</summary>
internal sealed class NoConditions : IDashboardConditions
{
    public static readonly NoConditions Instance = new();

    public Task<IReadOnlyList<DashboardCondition>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<DashboardCondition>>([]);
}
