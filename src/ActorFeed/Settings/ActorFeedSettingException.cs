namespace ActorFeed.Settings;

/// <summary>
/// One or more invalid settings. <see cref="Errors"/> lists every one; <see cref="Key"/> and <see cref="Problem"/> are
/// those of the first. A key is a HOCON key (<c>actorfeed.backoff.max</c>), or with ActorFeed.Hosting an option name
/// (<c>ActorFeed:BackoffMax</c>).
/// </summary>
public sealed class ActorFeedSettingException : ArgumentException
{
    /// <summary>One invalid setting.</summary>
    /// <param name="key">The HOCON key or option name.</param>
    /// <param name="problem">What is wrong, e.g. "must be at least 1" (no trailing period).</param>
    /// <param name="inner">The cause, if any.</param>
    public ActorFeedSettingException(string key, string problem, Exception? inner = null)
        : this([new ActorFeedSettingError(key, problem)], inner)
    {
    }

    /// <summary>Several invalid settings, reported together.</summary>
    /// <param name="errors">At least one error.</param>
    /// <param name="inner">The cause, if any.</param>
    public ActorFeedSettingException(IEnumerable<ActorFeedSettingError> errors, Exception? inner = null)
        : this(errors.ToArray(), inner)
    {
    }

    private ActorFeedSettingException(ActorFeedSettingError[] errors, Exception? inner)
        : base(Format(errors), errors.Length > 0 ? errors[0].Key : null, inner)
    {
        Errors = errors;
    }

    /// <summary>Every invalid setting, in the order of the setting table; never empty.</summary>
    public IReadOnlyList<ActorFeedSettingError> Errors { get; }

    /// <summary>The key of the first invalid setting.</summary>
    public string Key => Errors[0].Key;

    /// <summary>The problem of the first invalid setting.</summary>
    public string Problem => Errors[0].Problem;

    /// <summary>
    /// <c>Invalid ActorFeed setting 'key': problem.</c> for one error, or
    /// <c>Invalid ActorFeed settings (2): 'key1': problem1; 'key2': problem2.</c> for several.
    /// </summary>
    public override string Message => Format(Errors);

    private static string Format(IReadOnlyList<ActorFeedSettingError> errors)
    {
        if (errors.Count == 0) throw new ArgumentException("At least one setting error is needed.", nameof(errors));
        return errors.Count == 1
            ? $"Invalid ActorFeed setting {errors[0]}."
            : $"Invalid ActorFeed settings ({errors.Count}): {string.Join("; ", errors)}.";
    }
}

/// <summary>One invalid setting: its key (HOCON key or option name) and what is wrong with it.</summary>
/// <param name="Key">The HOCON key (<c>actorfeed.backoff.max</c>) or option name (<c>ActorFeed:BackoffMax</c>).</param>
/// <param name="Problem">What is wrong, e.g. "must be at least 1".</param>
public sealed record ActorFeedSettingError(string Key, string Problem)
{
    /// <summary><c>'key': problem</c>.</summary>
    public override string ToString() => $"'{Key}': {Problem}";
}
