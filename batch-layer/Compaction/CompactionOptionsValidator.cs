using Cronos;
using Lambda.BatchLayer.Scheduling;
using Microsoft.Extensions.Options;

namespace Lambda.BatchLayer.Compaction;

/// <summary>Checks <see cref="CompactionOptions"/>; every failure names its configuration key.</summary>
public sealed class CompactionOptionsValidator : IValidateOptions<CompactionOptions>
{
    private const string Prefix = CompactionOptions.SectionName + ":";

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, CompactionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Cron))
        {
            failures.Add($"{Prefix}Cron must be a cron expression, e.g. '8-59/15 * * * *' (every 15 minutes).");
        }
        else
        {
            try
            {
                BatchScheduleOptionsValidator.ParseCron(options.Cron);
            }
            catch (CronFormatException ex)
            {
                failures.Add($"{Prefix}Cron '{options.Cron}' is not a valid cron expression: {ex.Message}");
            }
        }

        if (options.MinAge < TimeSpan.Zero)
        {
            failures.Add($"{Prefix}MinAge must not be negative (got {options.MinAge}).");
        }

        if (options.MaxEventsPerRecord < 2)
        {
            failures.Add($"{Prefix}MaxEventsPerRecord must be at least 2 (got {options.MaxEventsPerRecord}).");
        }

        if (options.RowGroupSize < 1)
        {
            failures.Add($"{Prefix}RowGroupSize must be positive (got {options.RowGroupSize}).");
        }

        if (options.LockWaitTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{Prefix}LockWaitTimeout must be positive (got {options.LockWaitTimeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
