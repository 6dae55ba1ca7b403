using ActorFeed.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActorFeed.Hosting;

/// <summary>DI registrations around the feed.</summary>
public static class ActorFeedServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="ActorFeedOptions"/> from the configuration section <c>ActorFeed</c>; registers
    /// <see cref="IActorFeedClient"/> and the <c>actorfeed</c> health check. The actor system still needs
    /// <c>WithActorFeed()</c> inside <c>AddAkka</c>, which validates the options against the actor system's HOCON when
    /// the host starts: invalid options stop the start with an <see cref="ActorFeedSettingException"/> naming each
    /// option, e.g. <c>Invalid ActorFeed setting 'ActorFeed:BackoffMax': ...</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration holding the <c>ActorFeed</c> section.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddActorFeed(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ActorFeedOptions>().Bind(configuration.GetSection(ActorFeedOptions.SectionName));
        services.TryAddSingleton<ActorFeedServices>();
        services.AddSingleton<IActorFeedClient, ActorFeedClient>();
        services.AddHealthChecks().AddCheck<ActorFeedHealthCheck>(ActorFeedHealthCheck.Name);
        return services;
    }
}

/// <summary>Registered by <see cref="ActorFeedServiceCollectionExtensions.AddActorFeed"/>, so that <c>WithActorFeed()</c>
/// can tell that it was called (every host registers <c>IOptions&lt;T&gt;</c> for any T, so that cannot tell).</summary>
internal sealed class ActorFeedServices;
