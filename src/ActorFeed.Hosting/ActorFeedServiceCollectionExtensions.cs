using ActorFeed.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ActorFeed.Hosting;

/// <summary>DI registrations around the feed.</summary>
public static class ActorFeedServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="ActorFeedOptions"/> from the configuration section <c>ActorFeed</c> and validates them when
    /// the host starts (invalid options stop the start with an <see cref="OptionsValidationException"/> whose message
    /// names each option, e.g. <c>Invalid ActorFeed setting 'ActorFeed:BackoffMax': ...</c>); registers
    /// <see cref="IActorFeedClient"/> and the <c>actorfeed</c> health check. The actor system still needs
    /// <c>WithActorFeed()</c> inside <c>AddAkka</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration holding the <c>ActorFeed</c> section.</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddActorFeed(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ActorFeedOptions>().Bind(configuration.GetSection(ActorFeedOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ActorFeedOptions>, ActorFeedOptionsValidator>());
        services.AddSingleton<IActorFeedClient, ActorFeedClient>();
        services.AddHealthChecks().AddCheck<ActorFeedHealthCheck>(ActorFeedHealthCheck.Name);
        return services;
    }
}

/// <summary>
/// Validates <see cref="ActorFeedOptions"/> against the reference defaults (<see cref="ActorFeedOptions.ToSettings"/>);
/// the failure is the <see cref="ActorFeedSettingException"/> message, naming each invalid option. The feed validates
/// again against the actor system's HOCON when it starts.
/// </summary>
internal sealed class ActorFeedOptionsValidator : IValidateOptions<ActorFeedOptions>
{
    public ValidateOptionsResult Validate(string? name, ActorFeedOptions options)
    {
        try
        {
            options.ToSettings();
            return ValidateOptionsResult.Success;
        }
        catch (ActorFeedSettingException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
