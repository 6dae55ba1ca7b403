using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorFeed.Hosting;

/// <summary>DI registrations around the feed.</summary>
public static class ActorFeedServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="ActorFeedOptions"/> from the configuration section <c>ActorFeed</c>, registers
    /// <see cref="IActorFeedClient"/> and the <c>actorfeed</c> health check. The actor system still needs
    /// <c>WithActorFeed</c> inside <c>AddAkka</c>.
    /// </summary>
    public static IServiceCollection AddActorFeed(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ActorFeedOptions>().Bind(configuration.GetSection(ActorFeedOptions.SectionName));
        services.AddSingleton<IActorFeedClient, ActorFeedClient>();
        services.AddHealthChecks().AddCheck<ActorFeedHealthCheck>(ActorFeedHealthCheck.Name);
        return services;
    }
}
