using Microsoft.Extensions.Options;

namespace Lambda.SpeedLayer;

/// <summary>Checks <see cref="SpeedLayerOptions"/> at start-up; every message names the configuration key at fault.</summary>
public sealed class SpeedLayerOptionsValidator : IValidateOptions<SpeedLayerOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, SpeedLayerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string prefix = SpeedLayerOptions.SectionName + ":";
        if (string.IsNullOrWhiteSpace(options.GroupId))
        {
            errors.Add($"{prefix}{nameof(options.GroupId)} must name the Kafka consumer group.");
        }

        Between(errors, prefix + nameof(options.FlushInterval), options.FlushInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        Between(errors, prefix + nameof(options.FlushMaxEvents), options.FlushMaxEvents, 1, 100_000_000);
        Between(errors, prefix + nameof(options.BacklogLag), options.BacklogLag, 1, long.MaxValue);
        Between(errors, prefix + nameof(options.BacklogFlushInterval), options.BacklogFlushInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        Between(errors, prefix + nameof(options.BacklogFlushMaxEvents), options.BacklogFlushMaxEvents, 1, 100_000_000);
        Between(errors, prefix + nameof(options.MaxRowsPerInsert), options.MaxRowsPerInsert, 1, Lambda.Shared.SpeedViews.SpeedTableSchema.MaxRowsPerInsert);
        Between(errors, prefix + nameof(options.MaxPendingFlushes), options.MaxPendingFlushes, 1, 10_000);
        if (options.GroupProtocol is not ("classic" or "consumer"))
        {
            errors.Add($"{prefix}{nameof(options.GroupProtocol)} is '{options.GroupProtocol}'; expected 'classic' or 'consumer'.");
        }

        // librdkafka refuses a poll interval below the session timeout.
        Between(errors, prefix + nameof(options.SessionTimeout), options.SessionTimeout, TimeSpan.FromSeconds(1), Min(options.MaxPollInterval, TimeSpan.FromMinutes(30)));
        Between(errors, prefix + nameof(options.MaxPollInterval), options.MaxPollInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(24));
        Between(errors, prefix + nameof(options.PollTimeout), options.PollTimeout, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10));
        Between(errors, prefix + nameof(options.RetryBaseDelay), options.RetryBaseDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
        Between(errors, prefix + nameof(options.RetryMaxDelay), options.RetryMaxDelay, options.RetryBaseDelay, TimeSpan.FromMinutes(10));
        Between(errors, prefix + nameof(options.DrainTimeout), options.DrainTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Between(errors, prefix + nameof(options.MetricsInterval), options.MetricsInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
        Between(errors, prefix + nameof(options.LookupPollInterval), options.LookupPollInterval, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(10));
        if (string.IsNullOrEmpty(options.DeadLetterSuffix))
        {
            errors.Add($"{prefix}{nameof(options.DeadLetterSuffix)} must not be empty (the dead-letter topic would be the source topic).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static void Between<T>(List<string> errors, string key, T value, T min, T max)
        where T : IComparable<T>
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            errors.Add($"{key} is {value}; it must be between {min} and {max}.");
        }
    }
}
