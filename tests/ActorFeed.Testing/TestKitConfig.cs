using System.Globalization;
using Akka.Configuration;

namespace ActorFeed.Testing;

/// <summary>
/// TestKit configuration shared by the test projects. <c>ACTORFEED_TEST_TIMEFACTOR</c> (a number, e.g. 2) in the
/// environment sets <c>akka.test.timefactor</c>: every TestKit wait (ExpectMsg, FishForMessage, AwaitAssert, Within)
/// is stretched by it, for slow or loaded CI machines. Virtual time (TestScheduler) is not affected.
/// </summary>
public static class TestKitConfig
{
    /// <summary>The environment variable that stretches TestKit timeouts.</summary>
    public const string TimeFactorVariable = "ACTORFEED_TEST_TIMEFACTOR";

    /// <summary>The factor from <see cref="TimeFactorVariable"/>, 1 when unset.</summary>
    public static double TimeFactor =>
        double.TryParse(Environment.GetEnvironmentVariable(TimeFactorVariable), NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f >= 1 ? f : 1;

    /// <summary><paramref name="config"/> with <c>akka.test.timefactor</c> from the environment.</summary>
    public static Config With(string hocon) =>
        ConfigurationFactory.ParseString(hocon)
            .WithFallback(ConfigurationFactory.ParseString($"akka.test.timefactor = {TimeFactor.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary><paramref name="timeout"/> stretched by <see cref="TimeFactor"/>, for waits outside TestKit (tasks, processes).</summary>
    public static TimeSpan Dilated(TimeSpan timeout) => timeout * TimeFactor;
}
